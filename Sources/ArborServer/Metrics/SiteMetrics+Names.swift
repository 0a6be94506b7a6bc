extension SiteMetrics {
    /// The metric names, as documented in `Docs/operator-guide.md` ("Metrics").
    public enum Name {
        public static let deltasAppended = "arbor_deltas_appended_total"
        public static let transactionsAppended = "arbor_transactions_appended_total"
        public static let logSequence = "arbor_log_sequence"
        public static let deltasRouted = "arbor_deltas_routed_total"
        public static let deltasDelivered = "arbor_deltas_delivered_total"
        public static let deltasSkipped = "arbor_deltas_skipped_total"
        public static let openFetches = "arbor_open_fetches"
        public static let loadDuration = "arbor_load_duration_seconds"
        public static let authenticationFailures = "arbor_authentication_failures_total"
        public static let errors = "arbor_errors_total"
        public static let fatherConnected = "arbor_father_link_connected"
        public static let fatherLagSequences = "arbor_father_link_lag_sequences"
        public static let fatherLagSeconds = "arbor_father_link_lag_seconds"
        public static let uploadBacklog = "arbor_father_link_upload_backlog_sequences"
        public static let sonConnected = "arbor_son_link_connected"
        public static let sonLagSequences = "arbor_son_link_lag_sequences"
        public static let sonLagSeconds = "arbor_son_link_lag_seconds"
    }
}
