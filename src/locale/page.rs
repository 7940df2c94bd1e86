//! The reset page's sentences. The page is rendered once per language at ignition, but some of
//! its sentences hold a value only its script knows (a count, a wait, a time, the account's
//! address). Those are formatted with a placeholder in the value's place (`{n}`, `{wait}`,
//! `{time}`, `{email}`, `{title}`) that the script fills in, and a sentence that counts (`$n`)
//! is formatted once for each plural category of the language (and for 0): the script picks the
//! one the browser's `Intl.PluralRules` names for the number, so the grammar stays in the
//! resource, Arabic's six forms included.

use std::collections::BTreeSet;

use fluent_bundle::types::{FluentNumber, FluentNumberOptions};
use fluent_bundle::{FluentArgs, FluentValue};
use intl_pluralrules::{PluralCategory, PluralRuleType, PluralRules};
use serde::Serialize;

use super::variables::variables;
use super::{placeholder, Area, Lang, Locales};

/// One sentence of the page, as the script reads it from `#strings`.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct PageString {
    /// The message's id.
    pub key: String,
    /// For a sentence that counts: the plural category (`one`, `few`, ...) or `0`.
    pub plural: Option<&'static str>,
    /// The sentence, with the script's placeholders.
    pub text: String,
}

impl Locales {
    /// Every sentence of the page in `lang`, with the values the server knows (`$product_name`,
    /// `$min`, `$max`) filled in, and the script's placeholders for the rest. A sentence that
    /// counts comes once per plural category.
    pub(crate) fn page_strings(
        &self,
        lang: Lang,
        product_name: &str,
        min: usize,
        max: usize,
    ) -> Vec<PageString> {
        let language = self.language(lang);
        let Some(bundle) = language.bundles.get(&Area::Page) else {
            return Vec::new();
        };
        let categories = categories(&language.tag);
        let mut strings = Vec::new();
        for id in self.ids.get(&Area::Page).into_iter().flatten() {
            let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) else {
                continue;
            };
            let mut used = BTreeSet::new();
            variables(pattern, &mut used);
            let values = |n: f64| {
                // Zero is zero in every language, and only an unmarked number matches a `[0]`.
                let marked = FluentNumberOptions {
                    minimum_integer_digits: (n != 0.0).then_some(placeholder::MARK),
                    ..Default::default()
                };
                let mut args = FluentArgs::new();
                args.set("product_name", product_name.to_owned());
                args.set("min", min);
                args.set("max", max);
                args.set("n", FluentValue::Number(FluentNumber::new(n, marked)));
                for name in ["wait", "time", "title", "email"] {
                    args.set(name, format!("{{{name}}}"));
                }
                args
            };
            if used.contains("n") {
                for (plural, n) in &categories {
                    let text = self.message(lang, Area::Page, id, Some(&values(*n)));
                    strings.push(PageString { key: id.clone(), plural: Some(plural), text });
                }
            } else {
                let text = self.message(lang, Area::Page, id, Some(&values(2.0)));
                strings.push(PageString { key: id.clone(), plural: None, text });
            }
        }
        strings
    }
}

/// The language's plural categories, each with an integer that falls in it (categories only
/// fractions fall in are left out: the script counts whole things), and `0` with 0.
fn categories(tag: &unic_langid::LanguageIdentifier) -> Vec<(&'static str, f64)> {
    let rules = PluralRules::create(tag.clone(), PluralRuleType::CARDINAL).or_else(|_| {
        let language = unic_langid::LanguageIdentifier::from_parts(tag.language, None, None, &[]);
        PluralRules::create(language, PluralRuleType::CARDINAL)
    });
    let mut found: Vec<(&'static str, f64)> = vec![("0", 0.0)];
    let Ok(rules) = rules else {
        found.push(("other", 2.0));
        return found;
    };
    // Zero last: it is a `[0]` of its own, and its category's other numbers name it better.
    for n in (1..=1000_u32).chain([0]) {
        let Ok(category) = rules.select(n) else { continue };
        let name = match category {
            PluralCategory::ZERO => "zero",
            PluralCategory::ONE => "one",
            PluralCategory::TWO => "two",
            PluralCategory::FEW => "few",
            PluralCategory::MANY => "many",
            PluralCategory::OTHER => "other",
        };
        if !found.iter().any(|(c, _)| *c == name) {
            found.push((name, f64::from(n)));
        }
    }
    found
}
