import ArborCore

/// Structural equality of buffers where doubles compare by bits (so NaN equals itself and
/// -0.0 differs from 0.0); `nanPayloads: false` accepts any NaN for any NaN (the JSON form
/// keeps only "NaN").
func sameBuffer(_ lhs: DeltaBuffer, _ rhs: DeltaBuffer, nanPayloads: Bool = true) -> Bool {
    guard lhs.schemaName == rhs.schemaName, lhs.originSite == rhs.originSite, lhs.sequence == rhs.sequence,
          lhs.deltas.count == rhs.deltas.count
    else { return false }
    return zip(lhs.deltas, rhs.deltas).allSatisfy { left, right in
        var left = left, right = right
        guard sameFields(left.fields, right.fields, nanPayloads: nanPayloads),
              left.subEntities.count == right.subEntities.count,
              zip(left.subEntities, right.subEntities).allSatisfy({ leftSub, rightSub in
                  var leftSub = leftSub, rightSub = rightSub
                  guard sameFields(leftSub.fields, rightSub.fields, nanPayloads: nanPayloads) else { return false }
                  leftSub.fields = [:]
                  rightSub.fields = [:]
                  return leftSub == rightSub
              })
        else { return false }
        left.fields = [:]; right.fields = [:]
        left.subEntities = []; right.subEntities = []
        return left == right
    }
}

private func sameFields(_ lhs: [String: TimedValue], _ rhs: [String: TimedValue], nanPayloads: Bool) -> Bool {
    guard Set(lhs.keys) == Set(rhs.keys) else { return false }
    return lhs.allSatisfy { name, timed in
        guard let other = rhs[name], timed.time == other.time else { return false }
        switch (timed.value, other.value) {
        case (.double(let left), .double(let right)):
            return left.bitPattern == right.bitPattern || (!nanPayloads && left.isNaN && right.isNaN)
        default:
            return timed.value == other.value
        }
    }
}
