namespace Fundament.Data;

/// <summary>
/// The storage types a field can have. Each dialect maps them to real column types, and reads them
/// back into one canonical CLR value: Text and Id → string, Integer → long, Real → double,
/// Boolean → bool, Timestamp → UTC <see cref="DateTime"/>, Json → raw JSON text (<see cref="string"/>).
/// </summary>
public enum SqlType
{
    Text,
    Integer,
    Real,
    Boolean,
    Timestamp,
    Json,
    Id,
}
