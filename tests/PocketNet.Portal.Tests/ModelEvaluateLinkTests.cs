using PocketNet.Portal.Tests.Support;

namespace PocketNet.Portal.Tests;

/// <summary>A model page offers the admin "Evaluate this model", which opens the dashboard's form with the model chosen.</summary>
[Collection(TrainedPortalCollection.Name)]
public sealed class ModelEvaluateLinkTests(TrainedPortal trained)
{
    [Fact]
    public async Task The_model_page_links_the_admin_to_the_evaluate_form_with_the_model_chosen()
    {
        int id = trained.Model.Id;
        string visitorPage = await PageForms.GetPageAsync(trained.Portal.CreateClient(), $"/models/{id}");
        Assert.DoesNotContain("id=\"evaluate-model-link\"", visitorPage);

        HttpClient admin = PageForms.Browser(trained.Portal);
        await PageForms.SignInAsync(admin);
        string page = await PageForms.GetPageAsync(admin, $"/models/{id}");
        Assert.Equal($"?evaluate={id}#evaluate-form", PageForms.Attribute(page, "evaluate-model-link", "href"));

        string dashboard = await PageForms.GetPageAsync(admin, $"/?evaluate={id}");
        Assert.Matches($"<option value=\"{id}\" selected", dashboard);
    }
}
