import ArborCore

extension ServeConfiguration {
    /// Every setting of `arbor serve`, in the order of the operator guide's table.
    static let settings: [ServeSetting] = [
        ServeSetting("database", "ARBOR_DATABASE_URL", .optionalText(\.database), example: "\"sqlite:/var/lib/arbor/branch.sqlite\"", "postgres://user@host:port/db or sqlite:PATH (password: PGPASSWORD)"),
        ServeSetting("site", "ARBOR_SITE", .text(\.site), example: "\"branch-east\"", "this site's name; 'center' at head office (default center)"),
        ServeSetting("instance", "ARBOR_INSTANCE", .text(\.instance), example: "\"1\"", "URL suffix /arbor/{instance}/ (default 1)"),
        ServeSetting("tablePrefix", "ARBOR_TABLE_PREFIX", .text(\.tablePrefix), example: "\"arbor_\"", "prefix of every table (default arbor_)"),
        ServeSetting("schemaFile", "ARBOR_SCHEMA", .optionalText(\.schemaFile), example: "\"/etc/arbor/schema.json\"", "distribution schema JSON (default: the embedded example retail-v1)"),
        ServeSetting("host", "ARBOR_HOST", .text(\.host), example: "\"0.0.0.0\"", "listen address (default 127.0.0.1)"),
        ServeSetting("port", "ARBOR_PORT", .integer(\.port), example: "8080", "listen port; 0 picks a free one (default 8080)"),
        ServeSetting("servers", "ARBOR_SERVERS", .list(\.servers), example: "[\"delta\", \"cache\"]", "the servers this process runs (default both)"),
        ServeSetting("useRegistration", "ARBOR_USE_REGISTRATION", .boolean(\.useRegistration), example: "true", "keep registrations for registered edges (default true)"),
        ServeSetting("retainedSequences", "ARBOR_RETAINED_SEQUENCES", .integer64(\.retainedSequences), example: "1000000", "how far back a client may fetch (default 1000000)"),
        ServeSetting("fatherServers", "ARBOR_FATHER_SERVERS", .list(\.fatherServers), example: "[\"https://hq.example.org:8080\"]", "a son's father, fail-over order (none at the center)"),
        ServeSetting("fatherClientId", "ARBOR_FATHER_CLIENT_ID", .optionalText(\.fatherClientId), example: "\"branch-east\"", "the son's client id in the father's clients table"),
        ServeSetting("fatherSlice", "ARBOR_FATHER_SLICE", .optionalText(\.fatherSlice), example: "\"east+all-branches\"", "the son's subscription at its father"),
        ServeSetting("fatherClientSecretFile", "ARBOR_FATHER_CLIENT_SECRET_FILE", .optionalText(\.fatherClientSecretFile), example: "\"/etc/arbor/father.secret\"", "file holding the son's secret at its father"),
        ServeSetting("advertisedURL", "ARBOR_ADVERTISED_URL", .optionalText(\.advertisedURL), example: "\"https://branch-east-2.example.org:8443\"", "the URL edges list for this process (default: from advertisedHost)"),
        ServeSetting("advertisedHost", "ARBOR_ADVERTISED_HOST", .optionalText(\.advertisedHost), example: "\"branch-east.example.org\"", "host name edges use; each process announces scheme://it:its port"),
        ServeSetting("announce", "ARBOR_ANNOUNCE", .boolean(\.announce), example: "false", "answer local-network discovery queries with this process's URL (Docs/discovery.md)"),
        ServeSetting("announceAddress", "ARBOR_ANNOUNCE_ADDRESS", .text(\.announceAddress), example: "\"0.0.0.0:47100\"", "with announce: the UDP address:port discovery queries arrive on"),
        ServeSetting("tlsCertificateFile", "ARBOR_TLS_CERTIFICATE_FILE", .optionalText(\.tlsCertificateFile), example: "\"/etc/arbor/tls/server.pem\"", "the listener's PEM certificate chain"),
        ServeSetting("tlsKeyFile", "ARBOR_TLS_KEY_FILE", .optionalText(\.tlsKeyFile), example: "\"/etc/arbor/tls/server.key\"", "the listener's PEM private key"),
        ServeSetting("tlsClientCAFile", "ARBOR_TLS_CLIENT_CA_FILE", .optionalText(\.tlsClientCAFile), example: "\"/etc/arbor/tls/clients-ca.pem\"", "clients must show a certificate this CA signed (common name: client id)"),
        ServeSetting("plainHTTP", "ARBOR_PLAIN_HTTP", .boolean(\.plainHTTP), example: "false", "serve unencrypted HTTP (trusted networks; required without TLS files)"),
        ServeSetting("allowAnonymousReads", "ARBOR_ALLOW_ANONYMOUS_READS", .boolean(\.allowAnonymousReads), example: "false", "serve unregistered fetches that name no client (default false)"),
        ServeSetting("fatherCAFile", "ARBOR_FATHER_CA_FILE", .optionalText(\.fatherCAFile), example: "\"/etc/arbor/tls/ca.pem\"", "PEM CA bundle trusted for an https:// father (default: system roots)"),
        ServeSetting("fatherClientCertificateFile", "ARBOR_FATHER_CLIENT_CERTIFICATE_FILE", .optionalText(\.fatherClientCertificateFile), example: "\"/etc/arbor/tls/branch-east.pem\"", "the son's certificate for a father that requires one"),
        ServeSetting("fatherClientKeyFile", "ARBOR_FATHER_CLIENT_KEY_FILE", .optionalText(\.fatherClientKeyFile), example: "\"/etc/arbor/tls/branch-east.key\"", "the key of that certificate"),
        ServeSetting("permitsFile", "ARBOR_PERMITS_FILE", .optionalText(\.permitsFile), example: "\"/etc/arbor/permits.json\"", "client id -> the topics it may read and write (default: everything)"),
        ServeSetting("selectiveDistribution", "ARBOR_SELECTIVE_DISTRIBUTION", .boolean(\.selectiveDistribution), example: "false", "a proxy receives only fixed and used topics from its father"),
        ServeSetting("fixedTopics", "ARBOR_FIXED_TOPICS", .list(\.fixedTopics), example: "[\"all-branches\"]", "with selective distribution: topics always received"),
        ServeSetting("unusedTopicsLifeMinutes", "ARBOR_UNUSED_TOPICS_LIFE_MINUTES", .number(\.unusedTopicsLifeMinutes), example: "10", "with selective distribution: minutes an unused topic stays subscribed"),
        ServeSetting("maximumTransactionBytes", "ARBOR_MAXIMUM_TRANSACTION_BYTES", .integer(\.maximumTransactionBytes), example: "16777216", "the largest request body and encoded transaction"),
        ServeSetting("maximumClockSkewSeconds", "ARBOR_MAXIMUM_CLOCK_SKEW_SECONDS", .integer64(\.maximumClockSkewSeconds), example: "300", "how far ahead of this site's clock a received time may be"),
        ServeSetting("appendRequestRetentionSeconds", "ARBOR_APPEND_REQUEST_RETENTION_SECONDS", .integer64(\.appendRequestRetentionSeconds), example: "86400", "how long append request ids are kept"),
        ServeSetting("statusClients", "ARBOR_STATUS_CLIENTS", .list(\.statusClients), example: "[\"ops-monitor\"]", "clients that may read the status page from off the machine (loopback always may)"),
        ServeSetting("sonTimeoutSeconds", "ARBOR_SON_TIMEOUT_SECONDS", .integer64(\.sonTimeoutSeconds), example: "30", "seconds a silent son is still shown connected (2-3600, default 30)"),
        ServeSetting("maximumConnections", "ARBOR_MAXIMUM_CONNECTIONS", .optionalInteger(\.maximumConnections), example: "900", "the most connections open at once (default 900, or what fits LimitNOFILE)"),
        ServeSetting("idleTimeoutSeconds", "ARBOR_IDLE_TIMEOUT_SECONDS", .integer(\.idleTimeoutSeconds), example: "60", "seconds a connection may wait for a request head or body part"),
        ServeSetting("maximumHeaderBytes", "ARBOR_MAXIMUM_HEADER_BYTES", .integer(\.maximumHeaderBytes), example: "16384", "the most bytes of request headers"),
        ServeSetting("requestBodyBudgetBytes", "ARBOR_REQUEST_BODY_BUDGET_BYTES", .integer(\.requestBodyBudgetBytes), example: "268435456", "the most bytes of request bodies read at once, all requests together"),
    ]

    /// The environment variables read, each overriding the file's key of the same meaning.
    static let environmentKeys: [String: String] = Dictionary(uniqueKeysWithValues: settings.map { ($0.variable, $0.key) })

    /// The setting of a file key, nil when there is none.
    static func setting(named key: String) -> ServeSetting? { settingsByKey[key] }

    private static let settingsByKey: [String: ServeSetting] = Dictionary(uniqueKeysWithValues: settings.map { ($0.key, $0) })
}

extension ServeConfiguration {
    /// "; did you mean 'x'" for a key close to a known one, else nothing.
    static func suggestion(for key: String) -> String {
        NameSuggestion.closest(to: key, among: settings.map(\.key)).map { "; did you mean '\($0)'?" } ?? ""
    }
}
