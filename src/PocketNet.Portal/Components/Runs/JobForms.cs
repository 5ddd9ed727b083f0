using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using PocketNet.Portal.Auth;
using PocketNet.Portal.Jobs;
using PocketNet.Portal.Store;

namespace PocketNet.Portal.Components.Runs;

/// <summary>What the dashboard's job forms do on submit, in one place: admin check, then the form's own checks, then the queue.</summary>
internal static class JobForms
{
    /// <summary>
    /// Queues the job and sends the browser to its page; otherwise returns the message to show under the form.
    /// <paramref name="what"/> names the jobs in the refusal ("training runs"). A refusal that names one of
    /// <paramref name="fields"/> is also shown next to that field, under its label.
    /// </summary>
    public static async Task<string?> StartAsync(EditContext form, HttpContext http, NavigationManager navigation, string what, Func<Task<JobRecord>> enqueue,
        IReadOnlyList<FormField>? fields = null)
    {
        FieldErrors.Clear(form);
        // The form is shown to the admin only, but a POST reaches this handler whatever the page showed.
        if (!http.User.IsAdmin()) return $"Only the admin can start {what}: sign in first.";
        // Values the form could not read (letters in a number field) are validation messages of the form.
        if (!form.Validate()) return string.Join(" ", form.GetValidationMessages());
        JobRecord job;
        try
        {
            job = await enqueue();
        }
        catch (ArgumentException e)
        {
            return FieldErrors.Place(form, fields ?? [], e.Message) ?? e.Message;
        }
        catch (ConflictException e)
        {
            return e.Message;
        }
        navigation.NavigateTo($"runs/{job.Id}");
        return null;
    }
}
