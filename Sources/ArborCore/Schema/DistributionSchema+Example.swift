import Foundation

extension DistributionSchema {
    /// The example schema shipped in `Schemas/example-retail.schema.json`, embedded so the
    /// command line has a default to run on without any file (`arbor self-check`, demos).
    public static let exampleRetail: DistributionSchema = {
        do {
            return try decodeJSON(Data(exampleRetailJSON.utf8))
        } catch {
            preconditionFailure("the embedded example schema is invalid: \(error)")
        }
    }()

    /// The text of `Schemas/example-retail.schema.json` (a test keeps the two identical).
    public static let exampleRetailJSON = """
{
  "name": "retail-v1",
  "classes": [
    {
      "name": "Customer",
      "fields": [
        { "name": "name", "type": "text" },
        { "name": "email", "type": "text", "nullable": true },
        { "name": "creditLimit", "type": "double", "nullable": true },
        { "name": "vip", "type": "bool" }
      ]
    },
    {
      "name": "Order",
      "fields": [
        { "name": "customerId", "type": "uuid" },
        { "name": "number", "type": "bigint" },
        { "name": "status", "type": "text" },
        { "name": "priority", "type": "int", "nullable": true },
        { "name": "placedAt", "type": "timestamp" },
        { "name": "attachment", "type": "bytes", "nullable": true },
        { "name": "extra", "type": "json", "nullable": true }
      ],
      "collections": [
        {
          "name": "lines",
          "fields": [
            { "name": "sku", "type": "text" },
            { "name": "quantity", "type": "int" },
            { "name": "price", "type": "double" }
          ],
          "collections": [
            { "name": "taxes", "fields": [ { "name": "code", "type": "text" }, { "name": "rate", "type": "double" } ] }
          ]
        }
      ]
    }
  ]
}
"""
}
