using PocketNet.Portal.Annotations;
using PocketNet.Portal.Tracking;

namespace PocketNet.Portal.Tests.Tracking;

public class TagsAndConfigurationDiffTests
{
    [Fact]
    public void Tags_are_lowercased_deduplicated_sorted_and_joined_by_commas()
    {
        Assert.Equal("baseline,kd,lr:0.1", Tags.Normalize(" KD, baseline  lr:0.1,kd "));
        Assert.Null(Tags.Normalize("  , "));
        Assert.Equal(["baseline", "kd"], Tags.Split("baseline,kd"));
        Assert.Empty(Tags.Split(null));
        // '_' is a LIKE wildcard: escaped, so a filter on "lr_sweep" cannot match "lr-sweep".
        Assert.Equal(@"%,lr\_sweep,%", Tags.ContainsPattern("LR_sweep"));
    }

    [Theory]
    [InlineData("fine;tuned", "fine;tuned", "only letters")]
    [InlineData("a-tag-that-goes-on-far-too-long-for-a-chip", "a-tag-that-goes", "longer than 32")]
    [InlineData("a b c d e f g h i j k l m", "13 tags", "at most 12")]
    public void A_bad_tag_is_refused_naming_it_and_the_rule(string typed, string named, string rule)
    {
        var error = Assert.Throws<ArgumentException>(() => Tags.Normalize(typed));
        Assert.Contains(named, error.Message);
        Assert.Contains(rule, error.Message);
    }

    [Fact]
    public void Only_settings_that_differ_are_listed_with_every_runs_value()
    {
        var diff = ConfigurationDiff.Of(
        [
            [("request", """{"model":"pocketnet-s-128","epochs":2,"optimizer":{"lr":0.1,"momentum":0.9}}"""), ("options", """{"milestones":[8,14],"deviations":["epochs: 2 (recipe 26)","lr 1+1"]}""")],
            [("request", """{"model":"pocketnet-s-128","epochs":4,"optimizer":{"lr":0.1,"momentum":0.9}}"""), ("options", """{"milestones":[1,2]}""")],
            [("request", """{"model":"pocketnet-s-128","epochs":2,"optimizer":{"lr":0.05,"momentum":0.9},"teacher":"iresnet100"}"""), ("options", null)],
        ]);
        Assert.Equal(["options.deviations", "options.milestones", "request.epochs", "request.optimizer.lr", "request.teacher"], diff.Select(d => d.Path));
        Assert.Equal("epochs: 2 (recipe 26)\nlr 1+1", diff.Single(d => d.Path == "options.deviations").Values[0]);
        Assert.Equal(["2", "4", "2"], diff.Single(d => d.Path == "request.epochs").Values);
        Assert.Equal(["[8,14]", "[1,2]", null], diff.Single(d => d.Path == "options.milestones").Values);
        Assert.Equal([null, null, "iresnet100"], diff.Single(d => d.Path == "request.teacher").Values);
    }

    [Fact]
    public void Runs_started_alike_have_no_differences_and_an_unreadable_configuration_counts_as_absent()
    {
        Assert.Empty(ConfigurationDiff.Of([[("request", """{"epochs":2}""")], [("request", """{"epochs":2}""")]]));
        var diff = ConfigurationDiff.Of([[("request", """{"epochs":2}""")], [("request", "{not json")]]);
        Assert.Equal([("request.epochs", (IReadOnlyList<string?>)["2", null])], diff.Select(d => (d.Path, d.Values)).ToList(),
            new TupleComparer());
    }

    private sealed class TupleComparer : IEqualityComparer<(string, IReadOnlyList<string?>)>
    {
        public bool Equals((string, IReadOnlyList<string?>) x, (string, IReadOnlyList<string?>) y) => x.Item1 == y.Item1 && x.Item2.SequenceEqual(y.Item2);
        public int GetHashCode((string, IReadOnlyList<string?>) obj) => obj.Item1.GetHashCode();
    }
}
