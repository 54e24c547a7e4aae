import ClaimModel
import Testing
@testable import RuleGraph

/// The batch index's per-line day totals against a count over every pair of lines (`day-units`: the units of the
/// line's code on its patient, provider and date; `patient-day-repeats`: the other lines of its patient and date
/// with its code, any provider), on generated batches with history, lines without a code, a date or units.
@Suite struct BatchIndexTests {
    struct Line {
        var claim: Claim
        var line: ServiceLine
    }

    static func batch(seed: UInt64) -> (claims: [Claim], history: [Claim]) {
        var state = seed
        func next(_ n: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(n))
        }
        let start = CalendarDate(year: 2024, month: 3, day: 1)!
        func claims(_ count: Int, prefix: String) -> [Claim] {
            (0..<count).map { n in
                var claim = Claim(
                    type: .professional, id: "\(prefix)\(n)", totalCharge: Money(cents: 100),
                    billingProvider: Provider(role: .billing, name: PersonName(last: "CLINIC"), npi: NPI(["1234567893", "1245319599"][next(2)])),
                    subscriber: Subscriber(memberID: "M\(next(4))", name: PersonName(last: "TESTPATIENT")),
                    patient: Patient(name: PersonName(last: "TESTPATIENT"), isSubscriber: true), payer: nil)
                claim.lines = (0..<(1 + next(5))).map { index in
                    ServiceLine(
                        number: index + 1, procedureCode: next(8) == 0 ? nil : ProcedureCode(["97110", "97140", "99213"][next(3)]),
                        charge: Money(cents: 100), units: next(5) == 0 ? nil : Quantity(1 + next(3)),
                        serviceDate: next(10) == 0 ? nil : DateOrRange(start.adding(days: next(3))),
                        renderingProvider: next(3) == 0 ? Provider(role: .rendering, name: PersonName(last: "DR"), npi: NPI("1356397594")) : nil)
                }
                return claim
            }
        }
        return (claims(6 + next(10), prefix: "C"), claims(next(6), prefix: "H"))
    }

    /// A line's facts (64 bytes: optionals as flags, the date packed) give back the line's own fields: units,
    /// charge and date present or not, the first and last dates the calendar has, odd modifiers.
    @Test func lineFactsGiveBackEachLinesFields() {
        #expect(MemoryLayout<BatchIndex.LineFacts>.stride == 64)
        var (claims, history) = Self.batch(seed: 11)
        // Two dates out of the packed range (years 1 to 9999), which only code makes: kept whole beside the facts.
        let dates = ["0001-01-01", "9999-12-31", "2024-02-29", "2023-12-31"].compactMap(CalendarDate.init)
            + [CalendarDate(dayNumber: 3_000_000), CalendarDate(dayNumber: -800_000)]
        #expect(dates.count == 6 && dates[4].year > 9999 && dates[5].year < 1)
        claims[0].lines = dates.enumerated().map { index, date in
            var line = ServiceLine(number: 1_000_000 + index, procedureCode: ProcedureCode("97110"),
                                   charge: index == 1 ? Money(dollars: "12.3x") : Money(cents: -5 - Int64(index)),
                                   units: index == 2 ? Quantity(text: "1.5.5") : Quantity(thousandths: 1_500),
                                   serviceDate: DateOrRange(date))
            line.modifiers = [[], ["25"], ["5", "XE", "59", "76"], ["25", "59", "76", "77", "XU"], [], []][index].map { Modifier($0) }
            line.diagnosisPointers = Array(1...(index + 1))
            return line
        }
        let index = BatchIndex(claims: claims, history: history)
        #expect(index.lineFacts.count == (claims + history).reduce(0) { $0 + $1.lines.count })
        for position in 0..<index.lineFacts.count {
            let facts = index.lineFacts[position], line = index.lineBoxes[position].value
            #expect(facts.units == line.units?.value)
            #expect(facts.charge == line.charge.cents.map { Double($0) / 100 })
            #expect(facts.number == line.number)
            #expect(index.serviceDate(ofLine: position) == line.serviceDate?.from)
            #expect(Int(facts.pointerCount) == line.diagnosisPointers.count)
            #expect(Int(facts.modifierCount) == line.modifiers.count)
            #expect(facts.modifiersPacked == (line.modifiers.count <= 4))
        }
        #expect(index.lineFacts[0].charge == -0.05 && index.lineFacts[1].charge == nil && index.lineFacts[2].units == nil)
        #expect((0..<6).map { index.serviceDate(ofLine: $0) } == dates)
        #expect(index.dates(ofClaim: 0) == (dates[5], dates[4]))
        #expect(index.dates(ofClaim: 1) == FieldReader.claimDates(claims[1]))
    }

    @Test func dayTotalsAgreeWithACountOverEveryPairOfLines() {
        for seed in 1...300 as ClosedRange<UInt64> {
            let (claims, history) = Self.batch(seed: seed)
            Self.check(claims, history, "seed \(seed)")
        }
    }

    /// A day of many lines (70, with codes repeating across it, some without a code or units).
    @Test func aDayOfManyLinesAgreesToo() {
        let (claims, history) = Self.batch(seed: 7)
        var big = claims[0]
        let date = CalendarDate(year: 2024, month: 3, day: 2)!
        big.lines = (0..<70).map { index in
            ServiceLine(number: index + 1, procedureCode: index % 9 == 0 ? nil : ProcedureCode(["97110", "97140", "99213"][index % 3]),
                        charge: Money(cents: 100), units: index % 4 == 0 ? nil : Quantity(1 + index % 3),
                        serviceDate: DateOrRange(date))
        }
        Self.check([big] + claims, history + [big], "70 lines on one day")
    }

    /// The joins line pairs are made from: a line's day (same patient, provider and date, itself included) and
    /// the lines within a window of days before it (same patient and provider, itself left out), in position
    /// order, against a scan of every line.
    @Test func sameDayAndWindowJoinsAgreeWithAScanOfEveryLine() {
        var pairsAcrossDays = 0
        for seed in 1...200 as ClosedRange<UInt64> {
            let (claims, history) = Self.batch(seed: seed)
            let index = BatchIndex(claims: claims, history: history)
            var lines: [(address: LineAddress, claim: Claim, line: ServiceLine)] = []
            for (number, claim) in claims.enumerated() {
                for (line, value) in claim.lines.enumerated() { lines.append((LineAddress(claim: number, line: line), claim, value)) }
            }
            for (number, claim) in history.enumerated() {
                for (line, value) in claim.lines.enumerated() { lines.append((LineAddress(claim: -1 - number, line: line), claim, value)) }
            }
            for (position, this) in lines.enumerated() {
                #expect(index.linePosition(this.address) == position)
                let patient = BatchIndex.patientKey(this.claim), provider = BatchIndex.providerKey(this.claim, this.line)
                func together(_ other: (address: LineAddress, claim: Claim, line: ServiceLine)) -> Bool {
                    BatchIndex.patientKey(other.claim) == patient && BatchIndex.providerKey(other.claim, other.line) == provider
                }
                let date = this.line.serviceDate?.from
                if position < claims.reduce(0, { $0 + $1.lines.count }) {
                    let sameDay = date.map { day in lines.filter { together($0) && $0.line.serviceDate?.from == day }.map(\.address) } ?? []
                    #expect(Array(index.linesOnDay(of: this.address.claim, this.address.line)) == sameDay, "seed \(seed), line \(position)")
                }
                for window in [0...0, 0...1, 1...2] {
                    var expected: [LineAddress] = []
                    if let date {
                        for (other, candidate) in lines.enumerated() where other != position && together(candidate) {
                            guard let theirs = candidate.line.serviceDate?.from else { continue }
                            if window.contains(date.dayNumber - theirs.dayNumber) { expected.append(candidate.address) }
                        }
                    }
                    #expect(index.linesWithin(window, of: position) == expected, "seed \(seed), line \(position), \(window)")
                    if window == 1...2 { pairsAcrossDays += expected.count }
                }
            }
        }
        #expect(pairsAcrossDays > 100, "the generated batches should pair lines across days")
    }

    static func check(_ claims: [Claim], _ history: [Claim], _ what: String) {
        let index = BatchIndex(claims: claims, history: history)
        let lines = (claims + history).flatMap { claim in claim.lines.map { Line(claim: claim, line: $0) } }
        #expect(lines.count == index.lineBoxes.count)
        for (position, this) in lines.enumerated() {
            var units: Double?
            var repeats: Int?
            if let code = this.line.procedureCode, let date = this.line.serviceDate?.from {
                let patient = BatchIndex.patientKey(this.claim)
                let provider = BatchIndex.providerKey(this.claim, this.line)
                repeats = -1
                for other in lines where other.line.procedureCode == code && other.line.serviceDate?.from == date
                    && BatchIndex.patientKey(other.claim) == patient {
                    repeats! += 1
                    if BatchIndex.providerKey(other.claim, other.line) == provider, let more = other.line.units?.value {
                        units = (units ?? 0) + more
                    }
                }
            }
            #expect(index.dayUnits(ofLine: position) == units, "\(what), line \(position): day units")
            #expect(index.patientDayRepeats(ofLine: position) == repeats, "\(what), line \(position): repeats")
        }
    }
}
