using PocketNet.Portal.Catalog;

namespace PocketNet.Portal.Tests;

/// <summary>ModelStore.Slug: model names safe in URLs, folder names and zip names, whatever the display name.</summary>
public sealed class ModelStoreSlugTests
{
    [Theory]
    [InlineData("PocketNetS-128", "pocketnets-128")]
    [InlineData("PocketNetS-128 MultiStepDistillation on SynthFaces", "pocketnets-128-multistepdistillation-on-synthfaces")]
    [InlineData("  Tiny external, v1!  ", "tiny-external-v1")]
    [InlineData("a__b..c//d", "a-b-c-d")]
    [InlineData("../../etc/passwd", "etc-passwd")]
    [InlineData("Ünïcödé naïve", "n-c-d-na-ve")]
    [InlineData("x", "x")]
    [InlineData("007", "007")]
    public void Names_become_lower_case_letters_digits_and_single_dashes(string name, string slug) =>
        Assert.Equal(slug, ModelStore.Slug(name));

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("!!!")]
    [InlineData("日本語")]
    public void A_name_with_nothing_usable_becomes_model(string name) => Assert.Equal("model", ModelStore.Slug(name));

    [Fact]
    public void Long_names_are_cut_to_80_characters_without_a_trailing_dash()
    {
        Assert.Equal(new string('a', 80), ModelStore.Slug(new string('a', 200)));
        string cut = ModelStore.Slug(new string('a', 79) + " b" + new string('c', 50));
        Assert.Equal(new string('a', 79), cut);
    }

    [Fact]
    public void A_slug_is_its_own_slug()
    {
        foreach (string name in new[] { "PocketNetS-128 (published)", "--x--", "MobileFaceNet @ 512" })
            Assert.Equal(ModelStore.Slug(name), ModelStore.Slug(ModelStore.Slug(name)));
    }
}
