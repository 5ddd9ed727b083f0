using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Components.Forms;

namespace PocketNet.Portal.Components.Runs;

/// <summary>
/// A field of a job form as a refusal names it: the names the planner and the API give it ("teacher",
/// "teacherModelId"), the form's label for it ("Teacher") and the input it belongs to.
/// </summary>
internal sealed record FormField(FieldIdentifier Field, string Label, params string[] Names);

/// <summary>
/// Puts a refusal ("teacher: kd needs a stored teacher model with weights (teacherModelId)") next to the field it
/// names, in the form's words ("Teacher: kd needs a stored teacher model with weights"), as that field's validation
/// message: its input is marked invalid and the message is shown beside it.
/// </summary>
internal static partial class FieldErrors
{
    private static readonly ConditionalWeakTable<EditContext, ValidationMessageStore> Stores = [];

    /// <summary>Forgets what an earlier submit of the same form placed.</summary>
    public static void Clear(EditContext form)
    {
        if (Stores.TryGetValue(form, out ValidationMessageStore? store)) store.Clear();
    }

    /// <summary>The field's message when the refusal names one of <paramref name="fields"/>; null when it names none.</summary>
    public static string? Place(EditContext form, IReadOnlyList<FormField> fields, string message)
    {
        Match named = LeadingName().Match(message);
        if (!named.Success) return null;
        FormField? field = fields.FirstOrDefault(f => f.Names.Contains(named.Groups[1].Value, StringComparer.OrdinalIgnoreCase));
        if (field is null) return null;
        // The API's property names in parentheses are for scripts; the form's reader knows the field by its label.
        string text = $"{field.Label}: {ApiName().Replace(message[named.Length..], "")}";
        Stores.GetValue(form, f => new ValidationMessageStore(f)).Add(field.Field, text);
        form.NotifyValidationStateChanged();
        return text;
    }

    [GeneratedRegex(@"^([A-Za-z][A-Za-z ]*): ")]
    private static partial Regex LeadingName();

    [GeneratedRegex(@" \([a-z]+[A-Z][A-Za-z]*\)")]
    private static partial Regex ApiName();
}
