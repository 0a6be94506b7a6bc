extension DeltaBuffer {
    /// This buffer stamped with `newer`'s name, after checking every delta against it.
    ///
    /// Under an additive upgrade (``SchemaEvolution``) a delta of an older schema is a valid
    /// delta of the newer one with fewer fields, so lifting never changes a delta; a delta that
    /// does not fit (the history is not additive) is ``DeltaCodecError/Code/invalidAgainstSchema``.
    public func lifted(to newer: DistributionSchema) throws(DeltaCodecError) -> DeltaBuffer {
        guard schemaName != newer.name else { return self }
        for (number, delta) in deltas.enumerated() {
            do { try delta.validate(against: newer) } catch {
                throw .invalidAgainstSchema(error, context: "delta \(number) of buffer \(sequence) from '\(originSite)' (schema '\(schemaName)' read as '\(newer.name)')")
            }
        }
        var lifted = self
        lifted.schemaName = newer.name
        return lifted
    }

    /// This buffer cut down to what `older` can represent, stamped with its name: deltas of
    /// classes `older` lacks are dropped, and so are fields and sub-entities (with their
    /// nested ones) it does not declare. The sequence stays, so a reader on the older schema
    /// still advances past the buffer when nothing is left of it.
    public func projected(onto older: DistributionSchema) -> DeltaBuffer {
        guard schemaName != older.name else { return self }
        var projected = self
        projected.schemaName = older.name
        projected.deltas = deltas.compactMap { delta in
            guard let entityClass = older.entityClass(named: delta.entityClass) else { return nil }
            var cut = delta
            cut.fields = delta.fields.filter { entityClass.field(named: $0.key) != nil }
            cut.subEntities = delta.subEntities.compactMap { sub in
                guard let collection = entityClass.collection(atPath: sub.collection) else { return nil }
                var kept = sub
                kept.fields = sub.fields.filter { collection.field(named: $0.key) != nil }
                return kept
            }
            return cut
        }
        return projected
    }
}
