// One test class at a time: each trains on the same 2 cores as the portal it hosts, and a run slowed down by
// another class's run would make the timing of what the page shows unrepresentative.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
