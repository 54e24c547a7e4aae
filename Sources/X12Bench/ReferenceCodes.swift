/// Real codes for the generated claims, so that the benchmark file looks like production traffic.
///
/// Taken from `/work/shared/data` (public CMS and CDC/CMS files; see that folder's README):
/// - CPT Category I and HCPCS Level II: codes with an MUE of at least 1 unit in
///   `cms/ncci-mue-practitioner-2024q3.csv`, every 40th (CPT) or 12th (HCPCS A/G/L) or 20th (J drug codes) row;
/// - ICD-10-CM: billable codes (leaves) of `icd10cm/code-list-April-2026.txt` outside V–Y (external causes, which
///   cannot be principal) and U, every 230th, plus common primary-care diagnoses checked against the same list.
/// Codes only: no CPT descriptors (AMA copyright) are used.
enum ReferenceCodes {
    /// Office and outpatient E/M visits (new and established patient), the most billed practitioner codes.
    static let evaluationAndManagement: [String] = [
        "99202", "99203", "99204", "99205", "99211", "99212", "99213", "99214", "99215",
    ]

    /// Other CPT Category I codes (surgery, radiology, pathology and laboratory, medicine).
    static let cpt: [String] = [
        "10009", "11106", "11600", "11954", "12055", "15121", "15736", "15833", "15999", "17360", "19316", "20550",
        "20822", "21016", "21127", "21243", "21365", "21552", "22010", "22551", "22852", "23100", "23440", "23670",
        "24149", "24470", "24930", "25135", "25375", "25575", "25929", "26210", "26471", "26555", "26755", "27047",
        "27138", "27254", "27339", "27428", "27507", "27605", "27687", "27781", "28002", "28114", "28285", "28450",
        "28730", "29355", "29828", "29887", "30310", "31075", "31297", "31553", "31631", "31830", "32550", "32701",
        "33211", "33262", "33366", "33501", "33620", "33771", "33891", "33962", "34203", "34842", "35211", "35511",
        "35633", "35883", "36261", "36557", "36818", "37195", "37500", "38230", "38790", "40806", "41135", "42180",
        "42650", "42975", "43215", "43270", "43341", "43652", "43999", "44186", "44380", "44799", "45309", "45402",
        "46262", "46761", "47371", "47610", "48520", "49400", "49540", "50075", "50400", "50605", "50920", "51590",
        "51980", "52332", "53235", "53660", "54240", "54505", "55400", "55980", "57120", "57335", "58150", "58552",
        "58805", "59140", "59870", "61055", "61517", "61582", "61700", "62010", "62280", "63015", "63173", "63610",
        "64451", "64595", "64716", "64823", "65091", "65730", "66183", "66990", "67311", "67808", "68020", "68811",
        "69535", "69725", "70250", "70552", "72114", "73000", "73564", "74210", "74742", "75833", "76506", "76831",
        "77014", "77299", "77523", "78130", "78434", "78700", "80061", "80192", "80338", "80400", "81108", "81200",
        "81243", "81286", "81326", "81375", "81437", "81518", "82103", "82308", "82550", "82728", "83002", "83527",
        "83861", "84119", "84260", "84482", "85025", "85345", "85613", "86148", "86335", "86592", "86688", "86777",
        "86891", "87081", "87209", "87338", "87496", "87555", "87804", "88161", "88283", "88367", "89264", "90471",
        "90660", "90717", "90880", "91035", "92202", "92522", "92601", "92943", "93227", "93304", "93567", "93623",
        "93924", "94625", "95060", "95724",
    ]

    /// HCPCS Level II codes (transport, G codes for Medicare services, orthotics).
    static let hcpcs: [String] = [
        "A0429", "A4290", "A4360", "A4379", "A4392", "A4412", "A4425", "A4560", "A5056", "A7048", "A9508", "A9527",
        "A9542", "A9557", "A9571", "A9584", "A9596", "A9800", "G0080", "G0105", "G0130", "G0181", "G0250", "G0288",
        "G0317", "G0340", "G0404", "G0416", "G0438", "G0454", "G0472", "G0494", "G0514", "G2007", "G2069", "G2083",
        "G6001", "G6013", "G9156", "G9489",
    ]

    /// HCPCS J codes (drugs administered other than orally), billed with an NDC in loop 2410.
    static let drugs: [String] = [
        "J0122", "J0208", "J0285", "J0475", "J0591", "J0642", "J0716", "J0802", "J0896", "J1205", "J1325", "J1444",
        "J1559", "J1627", "J1743", "J1943", "J2184", "J2315", "J2410", "J2550", "J2781", "J2840", "J3111", "J3316",
        "J3470", "J7168", "J7195", "J7308", "J7331", "J7608",
    ]

    /// Common primary-care ICD-10-CM diagnoses, as X12 writes them (no decimal point).
    static let commonDiagnoses: [String] = [
        "E119", "I10", "J069", "M5450", "Z0000", "Z0001", "E785", "E782", "K219", "F419", "J449", "N390",
        "R051", "R0789", "J209", "E1165", "E039", "F329", "M170", "M1711", "G4700", "R739", "Z23", "Z1231",
        "I2510", "E6601", "J4520", "L309", "H6691", "B349", "R109", "M79641", "Z79899", "N1830", "I4891", "K5900",
        "R5383",
    ]

    /// A spread of other billable ICD-10-CM codes across the chapters.
    static let diagnoses: [String] = [
        "A011", "A400", "A750", "B2700", "B689", "C187", "C44712", "C6980", "C8211", "C84A9", "D0149", "D2370",
        "D48119", "D7381", "E0841", "E113513", "E3401", "E7523", "F03B11", "F1410", "F1926", "F524", "G301", "G47411",
        "G8320", "H02011", "H02864", "H05811", "H15832", "H18452", "H25091", "H33019", "H35413", "H4033X4", "H44701", "H50811",
        "H59119", "H65499", "H7441", "H9551", "I408", "I6522", "I69862", "I70634", "I82442", "I880", "J438", "K0499",
        "K2960", "K56690", "K8063", "L03121", "L568", "L89306", "L97518", "M00112", "M05041", "M06219", "M1A0211", "M1A49X1",
        "M12039", "M1469", "M21629", "M24212", "M25279", "M270", "M4323", "M4847XS", "M60078", "M62011", "M65332", "M67471",
        "M71461", "M80022P", "M80862A", "M84364K", "M84464S", "M84573D", "M84751K", "M85831", "M87072", "M89072", "M90621", "M94249",
        "N027", "N393", "N7689", "N891", "O0931", "O24312", "O30239", "O333XX2", "O35DXX1", "O364XX0", "O368999", "O4202",
        "O643XX2", "O88811", "O9A213", "P260", "P922", "Q282", "Q625", "Q751", "R0489", "R29739", "R5081", "R9081",
        "S00442S", "S01312D", "S0211AG", "S02621S", "S0410XD", "S062X5D", "S06374S", "S06894A", "S1096XD", "S12121A", "S12531D", "S14122D",
        "S15301A", "S20323S", "S21129D", "S22008G", "S22081S", "S24109D", "S25592A", "S27819S", "S30864D", "S31142A", "S31629S", "S32020K",
        "S32301A", "S32446D", "S32602K", "S345XXA", "S3591XS", "S36511D", "S37422A", "S3994XS", "S41132D", "S42113K", "S42209G", "S42279P",
        "S42354A", "S42436S", "S42494B", "S43224A", "S45012S", "S46211D", "S49019K", "S50321S", "S52001H", "S52035N", "S52119S", "S52189F",
        "S52234K", "S52256S", "S52299F", "S52334K", "S52356S", "S52399F", "S52541K", "S52599S", "S5291XD", "S5331XA", "S55909S", "S56392D",
        "S5780XA", "S59131S", "S60049D", "S60450A", "S60941S", "S61232D", "S61349A", "S62024P", "S62144K", "S62221G", "S62306D", "S62339B",
        "S62392A", "S62609S", "S62642P", "S63011A", "S63210S", "S63287D", "S63499A", "S6412XS", "S65509D", "S66126A", "S66492S", "S67197D",
        "S68729A", "S71111S", "S72026N", "S72059B", "S72112H", "S72134Q", "S72301D", "S72336K", "S72362S", "S72415F", "S72441N", "S72464B",
        "S73012A", "S75209S", "S76802D", "S79112K", "S80862S", "S82013N", "S82036B", "S82112H", "S82134Q", "S82161K", "S82232H", "S82254Q",
        "S82311K", "S82432H", "S82454Q", "S8254XD", "S82841F", "S82863N", "S8292XB", "S83239S", "S85122D", "S86011A", "S88012S", "S89141D",
        "S90219A", "S90871S", "S91203D", "S92016B", "S92109A", "S92192S", "S92255P", "S92355K", "S92515G", "S93116A", "S93521S", "S95912D",
        "S9780XA", "S99092B", "S99242A", "T17800A", "T2033XS", "T2130XD", "T22141A", "T22492S", "T23031D", "T23319A", "T23601S", "T24129D",
        "T24632A", "T25439S", "T277XXD", "T3360XS", "T363X6D", "T375X5A", "T38893S", "T401X2D", "T40995A", "T425X3S", "T43502D", "T442X3A",
        "T454X1S", "T461X6D", "T473X5A", "T485X3S", "T4992XD", "T50B11A", "T522X3S", "T550X4D", "T5801XA", "T603X1S", "T63042D", "T63463A",
        "T65213S", "T703XXD", "T7581XA", "T80311S", "T81532D", "T8243XA", "T83122S", "T84050D", "T84611A", "T85620S", "T8789", "Z16341",
        "Z3764", "Z592", "Z7739", "Z87738", "Z96611",
    ]

    /// Procedure modifiers (CPT and HCPCS Level II, from `cms/modifiers.csv`).
    static let modifiers: [String] = ["25", "59", "XS", "XU", "LT", "RT", "26", "TC", "76", "91", "95", "GA", "KX", "QW"]

    /// Places of service (CMS POS code set): office, telehealth in the patient's home, outpatient hospital,
    /// urgent care, independent laboratory.
    static let placesOfService: [String] = ["11", "11", "11", "11", "10", "22", "20", "81"]

    /// Health-care provider taxonomy codes (NUCC): family medicine, internal medicine, pediatrics, orthopaedic
    /// surgery, neurology, nurse practitioner (family), general practice, clinic (primary care).
    static let taxonomies: [String] = [
        "207Q00000X", "207R00000X", "208000000X", "207X00000X", "2084N0400X", "363LF0000X", "208D00000X", "261QP2300X",
    ]

    /// Claim filing indicators (SBR09): commercial, Medicare Part B, Medicaid, Blue Cross/Blue Shield, HMO.
    static let filingIndicators: [String] = ["CI", "CI", "MB", "MC", "BL", "HM"]

    /// US states for the synthetic addresses.
    static let states: [String] = ["PA", "NY", "OH", "TX", "CA", "FL", "IL", "GA", "NC", "MI", "WA", "AZ"]
}
