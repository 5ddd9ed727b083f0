using System.Text.Json;
using System.Text.Json.Serialization;

namespace PocketNet.Training.Options;

/// <summary>
/// Reads an enum option from JSON through its <see cref="OptionNames{T}"/> table (so a request accepts the same names and
/// aliases as the CLI) and writes its canonical name. A value that is not a name fails with the table's message, which
/// names the option ("mode: 'softmax' is not arcface, cosface, kd or multistep-kd").
/// </summary>
public class OptionNamesJsonConverter<T>(OptionNames<T> names) : JsonConverter<T> where T : struct, Enum
{
    public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
            throw new JsonException($"{names.Option}: give one of {string.Join(", ", names.Names)} as a string");
        try
        {
            return names.Parse(reader.GetString()!);
        }
        catch (ArgumentException e)
        {
            throw new JsonException(e.Message, e);
        }
    }

    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) => writer.WriteStringValue(names.NameOf(value));
}
