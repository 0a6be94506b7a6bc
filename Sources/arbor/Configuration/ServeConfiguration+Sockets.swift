import ArborServer

extension ServeConfiguration {
    /// The socket bounds, checked against each other and against `descriptorLimit` (the
    /// process's `RLIMIT_NOFILE`, nil when unknown): a `maximumConnections` set explicitly
    /// must leave ``SocketLimits/reservedDescriptors`` free; the default is lowered to fit.
    func validatedSockets(descriptorLimit: Int?) throws(ServeConfigurationError) -> SocketLimits {
        let room = descriptorLimit.map { max(1, $0 - SocketLimits.reservedDescriptors) }
        let connections: Int
        if let maximumConnections {
            guard (1...1_000_000).contains(maximumConnections) else {
                throw ServeConfigurationError("maximumConnections must be between 1 and 1000000, got \(maximumConnections)")
            }
            if let descriptorLimit, let room, maximumConnections > room {
                throw ServeConfigurationError(
                    "maximumConnections \(maximumConnections) needs \(maximumConnections + SocketLimits.reservedDescriptors) file descriptors, "
                        + "but this process may open \(descriptorLimit): raise LimitNOFILE (systemd) or ulimit -n, or lower maximumConnections to \(room)"
                )
            }
            connections = maximumConnections
        } else {
            connections = min(SocketLimits.defaultMaximumConnections, room ?? SocketLimits.defaultMaximumConnections)
        }
        guard (1...3600).contains(idleTimeoutSeconds) else {
            throw ServeConfigurationError("idleTimeoutSeconds must be between 1 and 3600, got \(idleTimeoutSeconds)")
        }
        guard (4096...(1 << 20)).contains(maximumHeaderBytes) else {
            throw ServeConfigurationError("maximumHeaderBytes must be between 4096 and 1048576, got \(maximumHeaderBytes)")
        }
        guard (maximumTransactionBytes...(1 << 36)).contains(requestBodyBudgetBytes) else {
            throw ServeConfigurationError(
                "requestBodyBudgetBytes must be at least maximumTransactionBytes (\(maximumTransactionBytes)), so one largest body fits, and at most 68719476736; got \(requestBodyBudgetBytes)"
            )
        }
        return SocketLimits(
            maximumConnections: connections, idleTimeout: .seconds(idleTimeoutSeconds), maximumHeaderBytes: maximumHeaderBytes,
            requestBodyBudgetBytes: requestBodyBudgetBytes
        )
    }
}
