/// A client's change of subscription (§2.3): which entities it stops holding.
public enum SliceChange {
    /// Whether an entity with `topics` leaves a client whose slice changes from `old` to `new`:
    /// `old` selects it and `new` does not, in steady-state evaluation (time windows
    /// disregarded), as the delta server routes (DESIGN rule 1). An entity neither selects
    /// stays where registration keeps it, unless it carries an application topic the new slice
    /// negates: a son holds no such entity (rule 1), whatever held it before.
    public static func leaves(_ topics: TopicsList, old: TopicsSlice, new: TopicsSlice) -> Bool {
        (old.selectsInSteadyState(topics) && !new.selectsInSteadyState(topics)) || new.dropsRegistered(topics)
    }
}
