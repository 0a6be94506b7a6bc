/// A UTC calendar time with second resolution, as written in `TimeWindow[dd/mm/yyyy hh:mm:ss]`.
///
/// Conversion is pure proleptic-Gregorian arithmetic (H. Hinnant's days-from-civil), so the
/// result never depends on the system time zone or calendar settings.
struct SliceDateTime: Hashable, Sendable {
    var day: Int
    var month: Int
    var year: Int
    var hour: Int
    var minute: Int
    var second: Int

    /// The years a window may name: exactly four digits, and every such time fits in `Int64` µs.
    static let years = 1...9999

    /// Days in `month` of `year`, leap years included.
    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    static func isLeap(_ year: Int) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    /// Seconds since 1970-01-01 00:00:00 UTC (negative before).
    var secondsSinceEpoch: Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let shiftedMonth = Int64(month > 2 ? month - 3 : month + 9)
        let dayOfYear = (153 * shiftedMonth + 2) / 5 + Int64(day) - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        return days * 86_400 + Int64(hour * 3600 + minute * 60 + second)
    }

    /// The calendar time of `seconds` since the epoch; clamped to years 1...9999 so that any
    /// timestamp can be printed in the four-digit-year form.
    init(secondsSinceEpoch seconds: Int64) {
        let lowest = SliceDateTime(day: 1, month: 1, year: 1, hour: 0, minute: 0, second: 0)
        let highest = SliceDateTime(day: 31, month: 12, year: 9999, hour: 23, minute: 59, second: 59)
        let clamped = min(max(seconds, lowest.secondsSinceEpoch), highest.secondsSinceEpoch)
        var days = clamped / 86_400
        var secondOfDay = clamped % 86_400
        if secondOfDay < 0 {
            secondOfDay += 86_400
            days -= 1
        }
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        self.day = Int(dayOfYear - (153 * shiftedMonth + 2) / 5 + 1)
        self.month = Int(month)
        self.year = Int(yearOfEra + era * 400 + (month <= 2 ? 1 : 0))
        self.hour = Int(secondOfDay / 3600)
        self.minute = Int(secondOfDay % 3600 / 60)
        self.second = Int(secondOfDay % 60)
    }

    init(day: Int, month: Int, year: Int, hour: Int, minute: Int, second: Int) {
        self.day = day
        self.month = month
        self.year = year
        self.hour = hour
        self.minute = minute
        self.second = second
    }

    /// `dd/mm/yyyy hh:mm:ss`, zero-padded.
    var formatted: String {
        func pad(_ value: Int, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(day, 2))/\(pad(month, 2))/\(pad(year, 4)) \(pad(hour, 2)):\(pad(minute, 2)):\(pad(second, 2))"
    }
}
