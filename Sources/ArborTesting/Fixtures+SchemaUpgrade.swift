import ArborCore

extension Fixtures {
    /// ``Fixtures/retailSchema`` (`retail-v1`) after an additive upgrade: Customer gains a
    /// nullable `phone` field and a `notes` collection, and a new class `Supplier` appears.
    public static let retailSchemaV2: DistributionSchema = {
        var classes = retailSchema.classes
        guard let customer = classes.firstIndex(where: { $0.name == "Customer" }) else { preconditionFailure("retail-v1 has Customer") }
        classes[customer].fields.append(FieldDefinition(name: "phone", type: .text, nullable: true))
        classes[customer].collections.append(SubEntityCollection(name: "notes", fields: [FieldDefinition(name: "text", type: .text)]))
        classes.append(EntityClass(name: "Supplier", fields: [FieldDefinition(name: "name", type: .text)]))
        do {
            return try DistributionSchema(name: "retail-v2", classes: classes)
        } catch {
            preconditionFailure("retail-v2 fixture is invalid: \(error)")
        }
    }()
}
