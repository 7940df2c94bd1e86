//! The number that stands for the reset page script's `$n`: formatted as `{n}` (which the
//! script fills in), while Fluent still selects its plural form by its value.

use fluent_bundle::FluentValue;

/// Marks the number that stands for the script's `$n`: a count of integer digits no real
/// number is formatted with.
pub(super) const MARK: usize = 0x7a11;

/// The bundles' formatter: the marked number is written `{n}`; every other value is formatted
/// as Fluent does.
pub(super) fn formatter<M>(value: &FluentValue<'_>, _: &M) -> Option<String> {
    match value {
        FluentValue::Number(n) if n.options.minimum_integer_digits == Some(MARK) => Some("{n}".to_owned()),
        _ => None,
    }
}
