#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The process's file descriptor limit (`RLIMIT_NOFILE`), read once at start by `arbor serve`.
enum DescriptorLimit {
    /// Raises the soft limit to the hard limit (what Go and NIO servers commonly do; the 1,024
    /// soft default is far below what systemd's hard limit allows) and answers the limit now in
    /// force; nil when it cannot be read.
    static func raiseToHardLimit() -> Int? {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return nil }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = min(limit.rlim_max, 1 << 20)
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { limit = raised }
        }
        return limit.rlim_cur == rlim_t.max ? nil : Int(clamping: limit.rlim_cur)
    }
}
