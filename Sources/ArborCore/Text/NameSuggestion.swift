/// The known name closest to a mistyped one, for "did you mean" hints (a subcommand, a
/// configuration key): the one at the smallest edit distance, when that distance is small
/// against the name's length, so an unrelated word gets no suggestion.
public enum NameSuggestion {
    /// The closest of `candidates` to `name`, or nil when none is close.
    public static func closest(to name: String, among candidates: [String]) -> String? {
        let typed = Array(name.lowercased())
        let scored = candidates.map { ($0, distance(typed, Array($0.lowercased()))) }
        guard let best = scored.min(by: { $0.1 < $1.1 }) else { return nil }
        let allowed = max(1, min(3, (max(typed.count, best.0.count) + 2) / 4))
        return best.1 <= allowed ? best.0 : nil
    }

    /// Edit distance counting an insertion, a deletion, a substitution or a swap of two
    /// neighbours as one (optimal string alignment): `prot` is one edit from `port`.
    static func distance(_ a: [Character], _ b: [Character]) -> Int {
        guard !a.isEmpty, !b.isEmpty else { return max(a.count, b.count) }
        var table = Array(repeating: Array(repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { table[i][0] = i }
        for j in 0...b.count { table[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                table[i][j] = min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    table[i][j] = min(table[i][j], table[i - 2][j - 2] + 1)
                }
            }
        }
        return table[a.count][b.count]
    }
}
