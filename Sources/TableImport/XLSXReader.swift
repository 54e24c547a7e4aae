import CZlib
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// Why a workbook could not be read.
struct XLSXError: Error {
    var message: String
}

/// One spreadsheet row: its 1-based row number and its cells by column (A = 0), empty where absent.
struct XLSXRow {
    var number: Int
    var cells: [String]
}

/// Just enough of Office Open XML to read CMS's spreadsheets: the zip container (stored or deflated
/// members, through zlib), the workbook's first sheet, shared strings and inline strings. Cell values are
/// taken as the text stored (CMS's AOC file stores every cell as text; a date stored as an Excel serial
/// number would come out as that number).
enum XLSXReader {
    /// The largest workbook read (the whole file is held in memory).
    static let maxBytes = 256 << 20

    static func firstSheet(path: String) throws(XLSXError) -> [XLSXRow] {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw XLSXError(message: error.localizedDescription)
        }
        guard data.count <= maxBytes else { throw XLSXError(message: "larger than \(maxBytes >> 20) MiB") }
        let zip = try ZipArchive(Array(data))
        let workbook = try zip.member("xl/workbook.xml")
        let relations = try zip.member("xl/_rels/workbook.xml.rels")
        guard let sheetID = XMLScan.attributes(of: "sheet", in: workbook).first?["r:id"] else {
            throw XLSXError(message: "the workbook lists no sheet")
        }
        guard let target = XMLScan.attributes(of: "Relationship", in: relations).first(where: { $0["Id"] == sheetID })?["Target"] else {
            throw XLSXError(message: "the workbook's first sheet (\(sheetID)) has no relationship target")
        }
        let sheetPath = target.hasPrefix("/") ? String(target.dropFirst()) : "xl/" + target
        let shared = zip.has("xl/sharedStrings.xml") ? try SharedStrings.parse(try zip.member("xl/sharedStrings.xml")) : []
        return try SheetParser.parse(try zip.member(sheetPath), shared: shared)
    }
}

/// A zip archive in memory: its central directory, members inflated on request.
struct ZipArchive {
    struct Entry {
        var method: Int
        var crc: UInt32
        var compressedSize: Int
        var size: Int
        var localHeader: Int
    }

    let bytes: [UInt8]
    private(set) var entries: [String: Entry] = [:]

    init(_ bytes: [UInt8]) throws(XLSXError) {
        self.bytes = bytes
        func u16(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 }
        func u32(_ at: Int) -> Int { u16(at) | u16(at + 2) << 16 }
        guard bytes.count >= 22 else { throw XLSXError(message: "not a zip file (too short)") }
        var end = -1
        var at = bytes.count - 22
        let lowest = max(0, bytes.count - 22 - 65_535)
        while at >= lowest {
            if bytes[at] == 0x50 && bytes[at + 1] == 0x4B && bytes[at + 2] == 0x05 && bytes[at + 3] == 0x06 {
                end = at
                break
            }
            at -= 1
        }
        guard end >= 0 else { throw XLSXError(message: "not a zip file (no end of central directory)") }
        let count = u16(end + 10)
        var offset = u32(end + 16)
        guard count != 0xFFFF, offset != 0xFFFF_FFFF else { throw XLSXError(message: "zip64 archives are not supported") }
        for _ in 0..<count {
            guard offset + 46 <= bytes.count, u32(offset) == 0x0201_4B50 else {
                throw XLSXError(message: "the zip central directory is damaged")
            }
            let nameLength = u16(offset + 28), extra = u16(offset + 30), comment = u16(offset + 32)
            guard offset + 46 + nameLength <= bytes.count else { throw XLSXError(message: "the zip central directory is damaged") }
            let name = String(decoding: bytes[(offset + 46)..<(offset + 46 + nameLength)], as: UTF8.self)
            entries[name] = Entry(
                method: u16(offset + 10), crc: UInt32(u32(offset + 16)), compressedSize: u32(offset + 20),
                size: u32(offset + 24), localHeader: u32(offset + 42))
            offset += 46 + nameLength + extra + comment
        }
    }

    func has(_ name: String) -> Bool { entries[name] != nil }

    /// A member's bytes, inflated and CRC-checked.
    func member(_ name: String) throws(XLSXError) -> [UInt8] {
        guard let entry = entries[name] else { throw XLSXError(message: "no \(name) in the workbook") }
        func u16(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 }
        let header = entry.localHeader
        guard header + 30 <= bytes.count, u16(header) == 0x4B50, u16(header + 2) == 0x0403 else {
            throw XLSXError(message: "\(name): damaged zip entry")
        }
        let start = header + 30 + u16(header + 26) + u16(header + 28)
        guard start + entry.compressedSize <= bytes.count else { throw XLSXError(message: "\(name): zip entry is cut short") }
        var out: [UInt8]
        switch entry.method {
        case 0:
            out = Array(bytes[start..<(start + entry.compressedSize)])
        case 8:
            out = try ZipArchive.inflateRaw(bytes, start: start, count: entry.compressedSize, expected: entry.size, name: name)
        default:
            throw XLSXError(message: "\(name): zip compression method \(entry.method) is not supported")
        }
        let crc = out.withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress, UInt32($0.count))) }
        guard out.count == entry.size, crc == entry.crc else { throw XLSXError(message: "\(name): zip entry fails its CRC check") }
        return out
    }

    private static func inflateRaw(_ bytes: [UInt8], start: Int, count: Int, expected: Int, name: String) throws(XLSXError) -> [UInt8] {
        var stream = z_stream()
        guard inflateInit2_(&stream, -15, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw XLSXError(message: "zlib could not start")
        }
        defer { inflateEnd(&stream) }
        var out = [UInt8](repeating: 0, count: max(expected, 1))
        let status: Int32 = bytes.withUnsafeBufferPointer { input in
            guard let base = input.baseAddress else { return Z_DATA_ERROR }
            return out.withUnsafeMutableBufferPointer { output in
                stream.next_in = UnsafeMutablePointer(mutating: base + start)
                stream.avail_in = UInt32(count)
                stream.next_out = output.baseAddress
                stream.avail_out = UInt32(output.count)
                return inflate(&stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END else { throw XLSXError(message: "\(name): deflate data is corrupt (zlib \(status))") }
        out.removeLast(out.count - Int(stream.total_out))
        return out
    }
}

/// Attribute lists of the elements with a given name (workbook.xml, its relationships).
enum XMLScan {
    static func attributes(of element: String, in bytes: [UInt8]) -> [[String: String]] {
        final class Collector: NSObject, XMLParserDelegate {
            let element: String
            var found: [[String: String]] = []
            init(_ element: String) { self.element = element }
            func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
                if name == element || qualifiedName == element { found.append(attributes) }
            }
        }
        let parser = XMLParser(data: Data(bytes))
        let collector = Collector(element)
        parser.delegate = collector
        // A damaged part yields what was read before the damage; the caller reports what is missing.
        _ = parser.parse()
        return collector.found
    }
}

/// `xl/sharedStrings.xml`: the text of each `<si>` (its `<t>` runs joined; phonetic `<rPh>` runs left out).
enum SharedStrings {
    static func parse(_ bytes: [UInt8]) throws(XLSXError) -> [String] {
        final class Collector: NSObject, XMLParserDelegate {
            var strings: [String] = []
            var current = ""
            var inText = false
            var phonetic = 0
            func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
                switch name {
                case "si": current = ""
                case "t": inText = phonetic == 0
                case "rPh": phonetic += 1
                default: break
                }
            }
            func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
                switch name {
                case "si": strings.append(current)
                case "t": inText = false
                case "rPh": phonetic -= 1
                default: break
                }
            }
            func parser(_ parser: XMLParser, foundCharacters string: String) { if inText { current += string } }
        }
        let parser = XMLParser(data: Data(bytes))
        let collector = Collector()
        parser.delegate = collector
        guard parser.parse() else {
            throw XLSXError(message: "the shared strings' XML does not parse (line \(parser.lineNumber))")
        }
        return collector.strings
    }
}

/// A worksheet's rows.
enum SheetParser {
    static func parse(_ bytes: [UInt8], shared: [String]) throws(XLSXError) -> [XLSXRow] {
        final class Collector: NSObject, XMLParserDelegate {
            let shared: [String]
            var rows: [XLSXRow] = []
            var row: XLSXRow?
            var column = 0
            var type = ""
            var value = ""
            var inValue = false
            var problem: String?
            init(shared: [String]) { self.shared = shared }

            func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
                switch name {
                case "row":
                    let number = attributes["r"].flatMap { Int($0) } ?? ((rows.last?.number ?? 0) + 1)
                    row = XLSXRow(number: number, cells: [])
                    column = 0
                case "c":
                    if let reference = attributes["r"] {
                        var index = 0
                        for scalar in reference.unicodeScalars {
                            guard scalar >= "A" && scalar <= "Z" else { break }
                            index = index * 26 + Int(scalar.value - 64)
                        }
                        column = max(0, index - 1)
                    }
                    type = attributes["t"] ?? ""
                    value = ""
                case "v", "t": inValue = true
                default: break
                }
            }

            func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
                switch name {
                case "v", "t": inValue = false
                case "c":
                    var text = value
                    if type == "s" {
                        if let index = Int(value), shared.indices.contains(index) { text = shared[index] } else {
                            problem = "row \(row?.number ?? 0): shared string \(value) does not exist"
                            text = ""
                        }
                    }
                    if var current = row {
                        if current.cells.count <= column {
                            current.cells += Array(repeating: "", count: column + 1 - current.cells.count)
                        }
                        current.cells[column] = text
                        row = current
                    }
                    column += 1
                case "row":
                    if let row { rows.append(row) }
                    row = nil
                default: break
                }
            }

            func parser(_ parser: XMLParser, foundCharacters string: String) { if inValue { value += string } }
        }
        let parser = XMLParser(data: Data(bytes))
        let collector = Collector(shared: shared)
        parser.delegate = collector
        guard parser.parse() else {
            throw XLSXError(message: "the worksheet's XML does not parse (line \(parser.lineNumber)): \(parser.parserError.map { "\($0)" } ?? "")")
        }
        if let problem = collector.problem { throw XLSXError(message: problem) }
        return collector.rows
    }
}
