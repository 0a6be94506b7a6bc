import ArborCore

extension ServeConfiguration {
    /// Every setting of `arbor serve`, in the order of the operator guide's table.
    public static let settings: [ServeSetting] = [
        ServeSetting("database", "ARBOR_DATABASE_URL", example: "\"sqlite:/var/lib/arbor/branch.sqlite\"", "postgres://user@host:port/db or sqlite:PATH (password: PGPASSWORD)"),
        ServeSetting("site", "ARBOR_SITE", example: "\"branch-east\"", "this site's name; 'center' at head office (default center)"),
        ServeSetting("instance", "ARBOR_INSTANCE", example: "\"1\"", "URL suffix /arbor/{instance}/ (default 1)"),
        ServeSetting("tablePrefix", "ARBOR_TABLE_PREFIX", example: "\"arbor_\"", "prefix of every table (default arbor_)"),
        ServeSetting("schemaFile", "ARBOR_SCHEMA", example: "\"/etc/arbor/schema.json\"", "distribution schema JSON (default: the embedded example retail-v1)"),
        ServeSetting("host", "ARBOR_HOST", example: "\"0.0.0.0\"", "listen address (default 127.0.0.1)"),
        ServeSetting("port", "ARBOR_PORT", example: "8080", "listen port; 0 picks a free one (default 8080)"),
        ServeSetting("servers", "ARBOR_SERVERS", example: "[\"delta\", \"cache\"]", "the servers this process runs (default both)"),
        ServeSetting("useRegistration", "ARBOR_USE_REGISTRATION", example: "true", "keep registrations for registered edges (default true)"),
        ServeSetting("retainedSequences", "ARBOR_RETAINED_SEQUENCES", example: "1000000", "how far back a client may fetch (default 1000000)"),
        ServeSetting("fatherServers", "ARBOR_FATHER_SERVERS", example: "[\"https://hq.example.org:8080\"]", "a son's father, fail-over order (none at the center)"),
        ServeSetting("fatherClientId", "ARBOR_FATHER_CLIENT_ID", example: "\"branch-east\"", "the son's client id in the father's clients table"),
        ServeSetting("fatherSlice", "ARBOR_FATHER_SLICE", example: "\"east+all-branches\"", "the son's subscription at its father"),
        ServeSetting("fatherClientSecretFile", "ARBOR_FATHER_CLIENT_SECRET_FILE", example: "\"/etc/arbor/father.secret\"", "file holding the son's secret at its father"),
        ServeSetting("advertisedURL", "ARBOR_ADVERTISED_URL", example: "\"https://branch-east-2.example.org:8443\"", "the URL edges list for this process (default: from advertisedHost)"),
        ServeSetting("advertisedHost", "ARBOR_ADVERTISED_HOST", example: "\"branch-east.example.org\"", "host name edges use; each process announces scheme://it:its port"),
        ServeSetting("tlsCertificateFile", "ARBOR_TLS_CERTIFICATE_FILE", example: "\"/etc/arbor/tls/server.pem\"", "the listener's PEM certificate chain"),
        ServeSetting("tlsKeyFile", "ARBOR_TLS_KEY_FILE", example: "\"/etc/arbor/tls/server.key\"", "the listener's PEM private key"),
        ServeSetting("tlsClientCAFile", "ARBOR_TLS_CLIENT_CA_FILE", example: "\"/etc/arbor/tls/clients-ca.pem\"", "clients must show a certificate this CA signed (common name: client id)"),
        ServeSetting("plainHTTP", "ARBOR_PLAIN_HTTP", example: "false", "serve unencrypted HTTP (trusted networks; required without TLS files)"),
        ServeSetting("allowAnonymousReads", "ARBOR_ALLOW_ANONYMOUS_READS", example: "false", "serve unregistered fetches that name no client (default false)"),
        ServeSetting("fatherCAFile", "ARBOR_FATHER_CA_FILE", example: "\"/etc/arbor/tls/ca.pem\"", "PEM CA bundle trusted for an https:// father (default: system roots)"),
        ServeSetting("fatherClientCertificateFile", "ARBOR_FATHER_CLIENT_CERTIFICATE_FILE", example: "\"/etc/arbor/tls/branch-east.pem\"", "the son's certificate for a father that requires one"),
        ServeSetting("fatherClientKeyFile", "ARBOR_FATHER_CLIENT_KEY_FILE", example: "\"/etc/arbor/tls/branch-east.key\"", "the key of that certificate"),
        ServeSetting("permitsFile", "ARBOR_PERMITS_FILE", example: "\"/etc/arbor/permits.json\"", "client id -> the topics it may read and write (default: everything)"),
        ServeSetting("selectiveDistribution", "ARBOR_SELECTIVE_DISTRIBUTION", example: "false", "a proxy receives only fixed and used topics from its father"),
        ServeSetting("fixedTopics", "ARBOR_FIXED_TOPICS", example: "[\"all-branches\"]", "with selective distribution: topics always received"),
        ServeSetting("unusedTopicsLifeMinutes", "ARBOR_UNUSED_TOPICS_LIFE_MINUTES", example: "10", "with selective distribution: minutes an unused topic stays subscribed"),
        ServeSetting("maximumTransactionBytes", "ARBOR_MAXIMUM_TRANSACTION_BYTES", example: "16777216", "the largest request body and encoded transaction"),
        ServeSetting("maximumClockSkewSeconds", "ARBOR_MAXIMUM_CLOCK_SKEW_SECONDS", example: "300", "how far ahead of this site's clock a received time may be"),
        ServeSetting("appendRequestRetentionSeconds", "ARBOR_APPEND_REQUEST_RETENTION_SECONDS", example: "86400", "how long append request ids are kept"),
        ServeSetting("statusClients", "ARBOR_STATUS_CLIENTS", example: "[\"ops-monitor\"]", "clients that may read the status page from off the machine (loopback always may)"),
        ServeSetting("sonTimeoutSeconds", "ARBOR_SON_TIMEOUT_SECONDS", example: "30", "seconds a silent son is still shown connected (2-3600, default 30)"),
        ServeSetting("maximumConnections", "ARBOR_MAXIMUM_CONNECTIONS", example: "900", "the most connections open at once (default 900, or what fits LimitNOFILE)"),
        ServeSetting("idleTimeoutSeconds", "ARBOR_IDLE_TIMEOUT_SECONDS", example: "60", "seconds a connection may wait for a request head or body part"),
        ServeSetting("maximumHeaderBytes", "ARBOR_MAXIMUM_HEADER_BYTES", example: "16384", "the most bytes of request headers"),
        ServeSetting("requestBodyBudgetBytes", "ARBOR_REQUEST_BODY_BUDGET_BYTES", example: "268435456", "the most bytes of request bodies read at once, all requests together"),
    ]

    /// The environment variables read, each overriding the file's key of the same meaning.
    public static let environmentKeys: [String: String] = Dictionary(uniqueKeysWithValues: settings.map { ($0.variable, $0.key) })
}

extension ServeConfiguration {
    /// "; did you mean 'x'" for a key close to a known one, else nothing.
    static func suggestion(for key: String) -> String {
        NameSuggestion.closest(to: key, among: settings.map(\.key)).map { "; did you mean '\($0)'?" } ?? ""
    }
}
