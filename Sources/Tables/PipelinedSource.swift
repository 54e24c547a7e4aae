#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Decompresses on a second thread, a few chunks ahead of the parser: inflating and CRC-checking a gzip
/// table costs about as much as parsing it, so on two cores the two overlap.
///
/// The wrapped source is used by the producer thread only, from start to end; the consumer reads filled
/// chunks. Chunks move between the two under one mutex (a ring of `slotCount` buffers).
final class PipelinedSource: ByteSource {
    private let state: PipelineState
    #if canImport(Darwin)
    private var thread: pthread_t?
    #else
    private var thread = pthread_t()
    #endif
    private var holding = false
    private var offset = 0
    private var remaining = 0
    let expectedSize: Int?

    /// Starts the producer thread; nil when it cannot be started (the caller reads `source` directly).
    init?(_ source: any ByteSource) {
        expectedSize = source.expectedSize
        state = PipelineState(source: source)
        let context = Unmanaged.passRetained(state).toOpaque()
        let started = pthread_create(&thread, nil, { context in
            #if canImport(Darwin)
            let state = Unmanaged<PipelineState>.fromOpaque(context).takeRetainedValue()
            #else
            let state = Unmanaged<PipelineState>.fromOpaque(context!).takeRetainedValue()
            #endif
            state.produce()
            return nil
        }, context)
        if started != 0 {
            Unmanaged<PipelineState>.fromOpaque(context).release()
            return nil
        }
    }

    deinit {
        state.cancel()
        #if canImport(Darwin)
        if let thread { pthread_join(thread, nil) }
        #else
        pthread_join(thread, nil)
        #endif
    }

    func read(into buffer: UnsafeMutablePointer<UInt8>, capacity: Int) throws(ByteSourceError) -> Int {
        if remaining == 0 {
            if holding {
                state.release()
                holding = false
            }
            let (count, failure) = state.acquire()
            if count == 0 {
                if let failure { throw ByteSourceError(message: failure) }
                return 0
            }
            holding = true
            offset = 0
            remaining = count
        }
        let take = min(capacity, remaining)
        buffer.update(from: state.currentSlot + offset, count: take)
        offset += take
        remaining -= take
        return take
    }

    /// Whether a second thread is worth starting here.
    static var isUseful: Bool { sysconf(Int32(_SC_NPROCESSORS_ONLN)) > 1 }
}

/// The ring of chunks shared by the producer thread and the consumer; every field after `init` is read
/// and written under `mutex`, except a slot's bytes, which belong to one side at a time by the ring's
/// rule (the producer fills slot `(consumer + filled) % slotCount` only while `filled < slotCount`).
private final class PipelineState: @unchecked Sendable {
    static let slotCount = 4
    static let slotSize = 1 << 20
    private let source: any ByteSource
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let changed: UnsafeMutablePointer<pthread_cond_t>
    private let slots: [UnsafeMutablePointer<UInt8>]
    private var counts = [Int](repeating: 0, count: PipelineState.slotCount)
    private var filled = 0
    private var consumer = 0
    private var cancelled = false
    private var failure: String?

    init(source: any ByteSource) {
        self.source = source
        mutex = .allocate(capacity: 1)
        changed = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(changed, nil)
        slots = (0..<PipelineState.slotCount).map { _ in .allocate(capacity: PipelineState.slotSize) }
    }

    deinit {
        pthread_mutex_destroy(mutex)
        pthread_cond_destroy(changed)
        mutex.deallocate()
        changed.deallocate()
        for slot in slots { slot.deallocate() }
    }

    /// The producer thread's loop.
    func produce() {
        var slot = 0
        while true {
            pthread_mutex_lock(mutex)
            while filled == PipelineState.slotCount && !cancelled { pthread_cond_wait(changed, mutex) }
            let stop = cancelled
            pthread_mutex_unlock(mutex)
            if stop { return }
            var count = 0
            var problem: String?
            do {
                // Fill the slot as far as the source gives, so that chunks stay large.
                while count < PipelineState.slotSize {
                    let got = try source.read(into: slots[slot] + count, capacity: PipelineState.slotSize - count)
                    if got == 0 { break }
                    count += got
                }
            } catch {
                problem = error.message
                count = 0
            }
            pthread_mutex_lock(mutex)
            counts[slot] = count
            if let problem { failure = problem }
            filled += 1
            pthread_cond_broadcast(changed)
            pthread_mutex_unlock(mutex)
            if count == 0 { return }
            slot = (slot + 1) % PipelineState.slotCount
        }
    }

    /// Waits for the next filled chunk: its byte count (0 at the end) and the failure, if any.
    func acquire() -> (Int, String?) {
        pthread_mutex_lock(mutex)
        while filled == 0 { pthread_cond_wait(changed, mutex) }
        let result = (counts[consumer], failure)
        pthread_mutex_unlock(mutex)
        return result
    }

    /// The chunk last acquired; its bytes are the consumer's until `release`.
    var currentSlot: UnsafeMutablePointer<UInt8> {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return slots[consumer]
    }

    /// Gives the current chunk back to the producer.
    func release() {
        pthread_mutex_lock(mutex)
        filled -= 1
        consumer = (consumer + 1) % PipelineState.slotCount
        pthread_cond_broadcast(changed)
        pthread_mutex_unlock(mutex)
    }

    func cancel() {
        pthread_mutex_lock(mutex)
        cancelled = true
        pthread_cond_broadcast(changed)
        pthread_mutex_unlock(mutex)
    }
}
