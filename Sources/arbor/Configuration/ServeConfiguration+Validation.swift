import ArborCore
import ArborEdge
import ArborServer
import ArborStore

/// The parts of a checked ``ServeConfiguration`` that need parsing, ready for the libraries.
struct ValidServeConfiguration: Sendable {
    var location: DatabaseLocation
    var prefix: TablePrefix
    var servers: SiteApplication.Servers
    var settings: SiteServerSettings
    /// ``ServeConfiguration/advertisedURL`` normalized (no trailing slash), when set.
    var advertisedURL: String?
    /// With ``ServeConfiguration/announce``: the UDP host and port discovery queries arrive on.
    var announceListen: (host: String, port: Int)?
}

extension ServeConfiguration {
    /// Checks every setting and returns the validated parts.
    func validated() throws(ServeConfigurationError) -> ValidServeConfiguration {
        guard let database, !database.isEmpty else {
            throw ServeConfigurationError("no database: set \"database\" in the file, ARBOR_DATABASE_URL, or --db (postgres://… or sqlite:PATH)")
        }
        let location: DatabaseLocation
        do { location = try DatabaseLocation(parsing: database) } catch { throw ServeConfigurationError("database: \(error.message)") }
        let prefix: TablePrefix
        do { prefix = try TablePrefix(tablePrefix) } catch { throw ServeConfigurationError("tablePrefix: \(error.message)") }
        guard !site.isEmpty, site.count <= 64, site.allSatisfy({ Topic.isAllowed($0) }) else {
            throw ServeConfigurationError("site '\(site)' must be 1-64 characters without * + ! ( ) , # or blanks (it names topics)")
        }
        guard ServicePaths(instance: instance) != nil else { throw ServeConfigurationError("instance '\(instance)' must be 1-32 letters, digits, '-' or '_'") }
        guard (0...65535).contains(port) else { throw ServeConfigurationError("port \(port) is out of range 0-65535") }
        guard !host.isEmpty else { throw ServeConfigurationError("host is empty") }
        let chosen = try validatedServers()
        let advertised = try validatedAdvertising()
        guard retainedSequences > 0 else { throw ServeConfigurationError("retainedSequences must be positive") }
        let selective = try validatedSelectiveDistribution()
        let limits = try validatedLimits()
        if site == "center" {
            guard fatherServers.isEmpty else { throw ServeConfigurationError("fatherServers: the center has no father; remove it or change site") }
        } else if !fatherServers.isEmpty {
            guard let fatherClientId, !fatherClientId.isEmpty, fatherClientId.count <= 64, fatherClientId.allSatisfy({ Topic.isAllowed($0) }) else {
                throw ServeConfigurationError("fatherClientId: a son needs its client id at the father (1-64 characters without * + ! ( ) , # or blanks)")
            }
            guard selective != nil || fatherSlice.flatMap({ try? TopicsSlice(parsing: $0) }) != nil else {
                throw ServeConfigurationError("fatherSlice: a son needs a valid subscription at its father (e.g. 'east+all-branches')")
            }
        }
        var settings = SiteServerSettings(instance: instance, useRegistration: useRegistration, retainedSequences: retainedSequences)
        settings.selectiveDistribution = selective
        settings.limits = limits
        settings.allowAnonymousReads = allowAnonymousReads
        for client in statusClients {
            do { try ClientRecord.validate(clientId: client) } catch { throw ServeConfigurationError("statusClients: '\(client.prefix(64))': \(error.message)") }
        }
        settings.statusClients = Set(statusClients)
        guard (2...3_600).contains(sonTimeoutSeconds) else {
            throw ServeConfigurationError("sonTimeoutSeconds must be between 2 and 3600, got \(sonTimeoutSeconds) (a son's heartbeat comes every 5 s)")
        }
        settings.sonTimeout = .seconds(sonTimeoutSeconds)
        guard (60...31_536_000).contains(appendRequestRetentionSeconds) else {
            throw ServeConfigurationError("appendRequestRetentionSeconds must be between 60 and 31536000 (a year), got \(appendRequestRetentionSeconds)")
        }
        settings.appendRequestRetention = .seconds(appendRequestRetentionSeconds)
        return ValidServeConfiguration(
            location: location, prefix: prefix, servers: chosen, settings: settings, advertisedURL: advertised, announceListen: try validatedAnnounce())
    }

    /// The UDP address of ``announce``, nil when off; refused when the URL to announce is unknown.
    private func validatedAnnounce() throws(ServeConfigurationError) -> (host: String, port: Int)? {
        guard announce else { return nil }
        let listen: (host: String, port: Int)
        do { listen = try SiteFinder.hostAndPort(announceAddress) } catch { throw ServeConfigurationError("announceAddress: \(error.message)") }
        if advertisedURL == nil, advertisedHost == nil, SiteScaling.listenerURL(scheme: "http", host: self.host, port: 1) == nil {
            throw ServeConfigurationError("announce: this process listens on the wildcard address \(self.host), so its URL is not known; set advertisedHost (or advertisedURL) to the name others reach it by")
        }
        return listen
    }

    /// ``servers`` as the set of servers to run (names in any case).
    private func validatedServers() throws(ServeConfigurationError) -> SiteApplication.Servers {
        var chosen: SiteApplication.Servers = []
        for server in servers {
            switch server.lowercased() {
            case "delta": chosen.insert(.delta)
            case "cache": chosen.insert(.cache)
            default: throw ServeConfigurationError("servers: '\(server)' is not a server; use delta, cache or both")
            }
        }
        guard !chosen.isEmpty else { throw ServeConfigurationError("servers: name at least one of delta, cache") }
        return chosen
    }

    /// ``advertisedURL`` normalized, after checking it and ``advertisedHost``.
    private func validatedAdvertising() throws(ServeConfigurationError) -> String? {
        if let advertisedHost {
            guard EdgeConfiguration.normalizedServerURL("http://\(advertisedHost):1") != nil, !advertisedHost.contains(":"), !advertisedHost.contains("/") else {
                throw ServeConfigurationError("advertisedHost must be a host name such as branch-east.example.org (no scheme or port), got '\(advertisedHost)'")
            }
        }
        guard let advertisedURL else { return nil }
        guard let url = EdgeConfiguration.normalizedServerURL(advertisedURL) else {
            throw ServeConfigurationError("advertisedURL must be a base URL such as https://branch-2.example:8443, got '\(advertisedURL)'")
        }
        return url
    }
}
