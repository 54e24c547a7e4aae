import ClaimModel

/// What a release file's name says about it: a release name and the day it takes effect.
public struct ReleaseGuess: Hashable, Sendable {
    public var name: String
    public var effective: CalendarDate

    /// The release a CMS or repo file name names, for the kind; nil when the name says nothing.
    ///
    /// NCCI version `vYYQ` (`ccipra-v322r0-f1`: v32.2) is year 1994 + YY, quarter Q + 1 (v32.2 = 2026Q3);
    /// MUE files name their effective date (`…_Eff_07-01-2026`); the AOC file its quarter (`AOC_V2026Q2`);
    /// the repo's copies their quarter (`…-2024q3`); ICD-10-CM files a month and year (`April-1-2026`)
    /// or a fiscal year (`tabular-2021`: FY2021 starts 2020-10-01).
    public static func from(fileName path: String, kind: ImportKind) -> ReleaseGuess? {
        let name = String(path.split(separator: "/").last ?? Substring(path))
        let lower = name.lowercased()
        switch kind {
        case .ptp:
            if let m = lower.firstMatch(of: #/cci(pra|oph)-v(\d\d)(\d)r\d+/#),
               let version = Int(m.2), let minor = Int(m.3), minor <= 3 {
                let setting = m.1 == "pra" ? "PRACTITIONER" : "OUTPATIENT"
                return quarter("NCCI-PTP-\(setting)", year: 1994 + version, quarter: minor + 1)
            }
            if let m = lower.firstMatch(of: #/ncci-ptp-([a-z]+)-(\d{4})q([1-4])/#), let y = Int(m.2), let q = Int(m.3) {
                return quarter("NCCI-PTP-\(m.1.uppercased())", year: y, quarter: q)
            }
        case .mue:
            if let m = name.firstMatch(of: #/MUE_([A-Za-z]+?)(?:Services)?_Eff_(\d\d)-(\d\d)-(\d{4})/#),
               let month = Int(m.2), let day = Int(m.3), let year = Int(m.4),
               let date = CalendarDate(year: year, month: month, day: day) {
                let setting: String
                switch m.1.lowercased() {
                case "practitioner": setting = "PRACTITIONER"
                case "outpatienthospital": setting = "OUTPATIENT"
                case "dmesupplier": setting = "DME"
                default: setting = m.1.uppercased()
                }
                return ReleaseGuess(name: "NCCI-MUE-\(setting)-\(year)Q\((month - 1) / 3 + 1)", effective: date)
            }
            if let m = lower.firstMatch(of: #/ncci-mue-([a-z]+)-(\d{4})q([1-4])/#), let y = Int(m.2), let q = Int(m.3) {
                return quarter("NCCI-MUE-\(m.1.uppercased())", year: y, quarter: q)
            }
        case .addOn:
            if let m = lower.firstMatch(of: #/aoc_v(\d{4})q([1-4])/#), let y = Int(m.1), let q = Int(m.2) {
                return quarter("NCCI-AOC", year: y, quarter: q)
            }
            if let m = lower.firstMatch(of: #/add-on-codes-(\d{4})q([1-4])/#), let y = Int(m.1), let q = Int(m.2) {
                return quarter("NCCI-AOC", year: y, quarter: q)
            }
        case .pfsRVU:
            // PPRRVU2026_Jul_nonQPP, PPRRVU24_JUL: the release's month (CMS's A/B/C/D releases are January,
            // April, July, October).
            if let m = lower.firstMatch(of: #/pprrvu(\d{4}|\d{2})_(jan|apr|jul|oct)/#), let y = Int(m.1),
               let month = monthNumber(String(m.2)) {
                let year = m.1.count == 2 ? 2000 + y : y
                if let date = CalendarDate(year: year, month: month, day: 1) {
                    return ReleaseGuess(name: "PFS-RVU-\(year)-\(m.2.uppercased())", effective: date)
                }
            }
        case .hcpcs:
            // HCPC2026_OCT_ANWEB, HCPC2024_JUL_ANWEB_v3: the quarter's month.
            if let m = lower.firstMatch(of: #/hcpc(\d{4})_(jan|apr|jul|oct)/#), let year = Int(m.1),
               let month = monthNumber(String(m.2)), let date = CalendarDate(year: year, month: month, day: 1) {
                return ReleaseGuess(name: "HCPCS-\(year)-\(m.2.uppercased())", effective: date)
            }
        case .pos:
            // CMS publishes the code set as a web page: no release file name.
            break
        case .icd10cm:
            let months = ["january", "february", "march", "april", "may", "june", "july", "august", "september",
                          "october", "november", "december"]
            if let m = lower.firstMatch(of: #/(january|february|march|april|may|june|july|august|september|october|november|december)-(?:(\d{1,2})-)?(\d{4})/#),
               let month = months.firstIndex(of: String(m.1)).map({ $0 + 1 }), let year = Int(m.3),
               let date = CalendarDate(year: year, month: month, day: m.2.flatMap { Int($0) } ?? 1) {
                let fiscal = month >= 10 ? year + 1 : year
                let suffix = month == 10 ? "" : "-" + months[month - 1].prefix(3).uppercased()
                return ReleaseGuess(name: "ICD10CM-FY\(fiscal)\(suffix)", effective: date)
            }
            if let m = lower.firstMatch(of: #/(?:tabular|icd10cm)[-_](?:fy)?(\d{4})\b/#), let year = Int(m.1),
               let date = CalendarDate(year: year - 1, month: 10, day: 1) {
                return ReleaseGuess(name: "ICD10CM-FY\(year)", effective: date)
            }
        }
        return nil
    }

    /// 1–12 for `jan` … `dec`.
    static func monthNumber(_ abbreviation: String) -> Int? {
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
            .firstIndex(of: abbreviation.prefix(3).lowercased()).map { $0 + 1 }
    }

    static func quarter(_ prefix: String, year: Int, quarter: Int) -> ReleaseGuess? {
        guard let date = CalendarDate(year: year, month: (quarter - 1) * 3 + 1, day: 1) else { return nil }
        return ReleaseGuess(name: "\(prefix)-\(year)Q\(quarter)", effective: date)
    }

    /// The last day before the next update of the kind, for a pack's `expires`: NCCI tables are quarterly
    /// (the quarter's last day); ICD-10-CM updates take effect on April 1 and October 1.
    public static func suggestedExpiry(kind: ImportKind, effective: CalendarDate) -> CalendarDate? {
        switch kind {
        case .ptp, .mue, .addOn, .pfsRVU, .hcpcs:
            let month = ((effective.month - 1) / 3) * 3 + 4
            let next = month > 12
                ? CalendarDate(year: effective.year + 1, month: month - 12, day: 1)
                : CalendarDate(year: effective.year, month: month, day: 1)
            return next?.adding(days: -1)
        case .pos:
            return nil
        case .icd10cm:
            let next: CalendarDate?
            if effective.month >= 10 { next = CalendarDate(year: effective.year + 1, month: 4, day: 1) }
            else if effective.month >= 4 { next = CalendarDate(year: effective.year, month: 10, day: 1) }
            else { next = CalendarDate(year: effective.year, month: 4, day: 1) }
            return next?.adding(days: -1)
        }
    }
}
