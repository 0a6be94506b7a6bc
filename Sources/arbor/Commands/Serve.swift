import ArborCore
import ArborEdge
import ArborServer
import ArborStore
import ArgumentParser
import Foundation
import Logging
import Metrics
import ServiceLifecycle

/// `arbor serve`: runs a site's delta and/or cache server until SIGTERM.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve a site: the delta and cache servers over HTTPS (or plain HTTP when configured explicitly).",
        discussion: """
            Settings come from --config (a JSON object of the keys below), then the ARBOR_* environment variables, \
            then flags; later wins. In the file each value has the JSON type of its example (lists are JSON arrays); \
            in the environment lists are comma-separated. Every key, its environment variable and an example:

            """ + ServeSetting.helpText(ServeConfiguration.settings)
    )

    @Option(name: .long, help: "A JSON configuration file.") var config: String?
    @Option(name: .long, help: "The site's database (postgres://… or sqlite:PATH).") var db: String?
    @Option(name: .long, help: "This site's name ('center' at head office).") var site: String?
    @Option(name: .long, help: "Listen address (default 127.0.0.1).") var host: String?
    @Option(name: .long, help: "Listen port (default 8080; 0 picks a free one).") var port: Int?
    @Option(name: .long, help: "Instance suffix in URLs (default 1).") var instance: String?
    @Option(name: .long, help: "Table prefix (default arbor_).") var prefix: String?
    @Option(name: .long, help: "Distribution schema file (default: the embedded example).") var schema: String?
    @Option(name: .long, help: "Servers to start: delta, cache or delta,cache (default both).", transform: ServeSettingField.list) var servers: [String]?
    @Option(name: .long, help: "Write the bound port to this file once listening (for scripts and tests).") var portFile: String?
    @Option(name: .long, help: "A JSON file of client id → topics it may read and write (default: every slice and write permitted).") var permits: String?

    @Option(name: .long, help: "The most connections open at once (default 900, lowered to fit the file descriptor limit).")
    var maximumConnections: Int?
    @Option(name: .long, help: "Seconds a connection may go without a complete request head or body part (default 60).")
    var idleTimeout: Int?

    @Option(name: .long, help: "The lowest level written: trace, debug, info, notice, warning, error or critical (default info, or ARBOR_LOG_LEVEL).")
    var logLevel: String?
    @Option(name: .long, help: "The log's line format: text or json, one JSON object per line (default text, or ARBOR_LOG_FORMAT).")
    var logFormat: String?

    @Flag(name: .customLong("plain-http"), help: "Serve plain HTTP without TLS (trusted networks only); otherwise set tlsCertificateFile and tlsKeyFile.")
    var plainHTTP = false
    @Flag(name: .customLong("allow-anonymous-reads"), help: "Serve unregistered fetches that name no client (default: every request but the status GETs needs a client of the clients table; anonymous writes are never served).")
    var allowAnonymousReads = false

    /// The flags that set a setting, the last layer over the file and the environment.
    var flags: ServeFlags {
        ServeFlags(
            database: db, site: site, host: host, port: port, instance: instance, tablePrefix: prefix, schemaFile: schema, servers: servers,
            permitsFile: permits, maximumConnections: maximumConnections, idleTimeoutSeconds: idleTimeout, plainHTTP: plainHTTP,
            allowAnonymousReads: allowAnonymousReads
        )
    }

    func run() async throws {
        let logSettings: LogSettings
        do {
            logSettings = try LogSettings.resolve(level: logLevel, format: logFormat, environment: ProcessInfo.processInfo.environment)
        } catch { throw ValidationError(error.description) }
        logSettings.bootstrap()
        var settings = ServeConfiguration()
        do {
            if let config { settings = try ServeConfiguration(file: try ConfigurationFile.read(config, option: "--config"), named: config) }
            try settings.apply(environment: ProcessInfo.processInfo.environment)
        } catch let error as ServeConfigurationError {
            throw ValidationError(error.description)
        }
        settings.apply(flags: flags)
        var valid: ValidServeConfiguration
        do { valid = try settings.validated() } catch { throw ValidationError(error.description) }
        // The PostgreSQL password may come from PGPASSWORD or ~/.pgpass instead of the URL, as for the admin commands.
        let passwordOrigin: PostgresPasswordOrigin?
        do {
            (valid.location, passwordOrigin) = try valid.location.resolvingPassword(
                PostgresPasswordSources(environment: ProcessInfo.processInfo.environment), urlSource: db == nil ? "database" : "--db"
            )
        } catch { throw ValidationError("database: \(error.message)") }
        if let db, (try? DatabaseLocation(parsing: db))?.password?.isEmpty == false {
            let warning = "the password in --db can be read by other users of this machine (ps); put it in PGPASSWORD or ~/.pgpass, or the URL in ARBOR_DATABASE_URL or --config"
            // A JSON log must stay all JSON; the text form is the admin commands' one.
            if logSettings.format == .json {
                Logger(label: "arbor").warning("\(warning)")
            } else {
                FileHandle.standardError.write(Data("arbor: warning: \(warning)\n".utf8))
            }
        }
        let listenerTLS: ListenerTLS?, fatherTrustRoots: EdgeTrustRoots?, fatherCertificate: EdgeClientCertificate?
        do {
            listenerTLS = try settings.listenerTLS()
            fatherTrustRoots = try settings.fatherTrustRoots()
            fatherCertificate = try settings.fatherClientCertificate()
        } catch { throw ValidationError(error.description) }
        let descriptorLimit = DescriptorLimit.raiseToHardLimit()
        let sockets: SocketLimits
        do { sockets = try settings.validatedSockets(descriptorLimit: descriptorLimit) } catch { throw ValidationError(error.description) }
        var serverSettings = valid.settings
        serverSettings.requiresClientCertificates = listenerTLS?.requiresClientCertificates ?? false
        let distributionSchema = try StoreOptions.loadSchema(settings.schemaFile)

        let final = settings, advertisedURL = valid.advertisedURL
        let logger = Logger(label: "arbor.\(final.site)")
        var permit: any Permit = AllowAllPermit()
        if let file = settings.permitsFile {
            do { permit = try TopicsPermitFile.read(file) } catch { throw ValidationError("permitsFile: \(error.description)") }
        }
        let configuration = StoreConfiguration(location: valid.location, schema: distributionSchema, prefix: valid.prefix, siteName: settings.site)
        // Only `arbor init` creates a database: a mistyped SQLite path must not become an empty site.
        try SiteDatabaseCheck.requireExistingFile(valid.location, source: db == nil ? "the configured database" : "--db")
        let store: any SiteStore
        do {
            store = try await SiteStores.open(configuration, logger: logger)
            try await store.install(upgradingSchema: false)
        } catch {
            throw CommandFailure("cannot open the site's database \(valid.location): \(error.message)\(passwordOrigin.map { " (\($0))" } ?? "")")
        }
        do {
            try await Self.settleIncarnation(store, hasFather: !final.fatherServers.isEmpty, logger: logger)
        } catch {
            await store.close()
            throw CommandFailure("cannot read or renew the incarnation of the site's database \(valid.location): \(error)")
        }
        let connection = CenterConnection(isCenter: final.site == "center")
        var context = SiteContext.standard(settings: serverSettings, store: store, permit: permit, connectedToCenter: { connection.isConnected }, logger: logger)
        // One site per process: libraries' swift-metrics land in the site's /metrics too.
        MetricsSystem.bootstrap(context.metrics.factory)
        var masterDuties: [any Service] = []
        var linkConnection: CenterConnection?
        var fatherLink: FatherLink?
        // With selective distribution the link subscribes to fixed plus used topics, not to a fatherSlice.
        let fatherSlice = final.fatherSlice ?? (valid.settings.selectiveDistribution == nil ? nil : ProxySlice.nothingTopic)
        if !final.fatherServers.isEmpty, let clientId = final.fatherClientId, let slice = fatherSlice {
            var secret: String?
            if let file = final.fatherClientSecretFile {
                do {
                    secret = try ClientSecretFile.read(file)
                } catch {
                    await store.close()
                    throw ValidationError("fatherClientSecretFile: \(error.description)")
                }
            }
            let settings = FatherLinkSettings(
                servers: final.fatherServers, instance: final.instance, clientId: clientId, clientSecret: secret, slice: slice,
                trustRoots: fatherTrustRoots, clientCertificate: fatherCertificate
            )
            do {
                let link = try FatherLink(context: context, settings: settings, connection: connection)
                context.fatherEntities = try FatherEntityLoader(settings: settings, schema: context.schema, limits: context.settings.limits, logger: logger)
                masterDuties.append(link)
                fatherLink = link
                linkConnection = connection
            } catch {
                await store.close()
                throw ValidationError("father link: \(error.message)")
            }
        }
        masterDuties.append(
            LogTrimmer(
                store: store, retainedSequences: valid.settings.retainedSequences, keepsUnacknowledgedUploads: !final.fatherServers.isEmpty,
                appendRequestRetention: valid.settings.appendRequestRetention, logger: logger
            )
        )
        // The father link and log trimming run in the one process holding the site's master role (§8.1).
        // Every process reports the master's link state to its edges (§8.2).
        let scaling = SiteScaling(context: &context, masterDuties: masterDuties, advertisedURL: advertisedURL, centerConnection: linkConnection)
        var announcer: [any Service] = []
        if let listen = valid.announceListen {
            let balancer = scaling.balancer
            announcer.append(SiteAnnouncer(
                host: listen.host, port: listen.port, instance: final.instance, schema: distributionSchema.name, siteName: final.site,
                servers: { balancer.ownURL.map { [$0] } ?? [] }, connectedToCenter: { connection.isConnected }, logger: logger))
        }
        let application = SiteApplication(
            context: context, servers: valid.servers, host: final.host, port: final.port,
            extraServices: scaling.services + [LinkRetrySignal(link: fatherLink)] + announcer,
            tls: listenerTLS?.configuration, sockets: sockets
        )
        if settings.maximumConnections == nil, sockets.maximumConnections < SocketLimits.defaultMaximumConnections, let descriptorLimit {
            logger.warning(
                "serving at most \(sockets.maximumConnections) connections: the file descriptor limit is \(descriptorLimit); raise LimitNOFILE (systemd) or ulimit -n for more"
            )
        }
        let portFile = portFile
        let scheme = listenerTLS == nil ? "http" : "https"
        do {
            try await application.run { port in
                logger.notice("serving site '\(final.site)' on \(scheme)://\(final.host):\(port)/arbor/\(final.instance)/")
                if advertisedURL == nil {
                    if let host = final.advertisedHost {
                        scaling.balancer.listen(at: "\(scheme)://\(host):\(port)")
                    } else if let url = SiteScaling.listenerURL(scheme: scheme, host: final.host, port: port) {
                        scaling.balancer.listen(at: url)
                    } else {
                        logger.notice("listening on a wildcard address: set advertisedHost (or advertisedURL) for this process to take part in load balancing")
                    }
                }
                if let portFile { try? String(port).write(toFile: portFile, atomically: true, encoding: .utf8) }
            }
        } catch {
            await store.close()
            throw CommandFailure(ListenFailure.message(error, host: final.host, port: final.port) ?? "server stopped: \(error)")
        }
        await store.close()
        logger.notice("stopped serving site '\(final.site)'")
    }
}
