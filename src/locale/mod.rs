//! Languages: every sentence the crate writes for a person (the mails, the reset page, the
//! `message` of API errors and the password policy's feedback) comes from Project Fluent
//! resources, one `.ftl` file per language and area (`mail`, `page`, `api`).
//!
//! The shipped languages are embedded in the crate (`templates/user_account/locales/<tag>/`).
//! A host adds a language, or rewords messages of a shipped one, with files of the same layout
//! in `user_account.templates` (`locales/<tag>/<area>.ftl`): a host file's messages replace the
//! embedded ones of the same id, and a new language must have every message. Everything is
//! checked once, at ignition ([`Locales::load`]): a file that does not parse, a missing or
//! unknown message, a variable the code does not pass, a message that does not format, or a
//! date pattern that does not read stops ignition with a sentence naming the file and message.
//!
//! Which language: for a mail, the account's locale (or the admin's `locale` in the request);
//! for the reset page, the mail's (the link's `?lang=`), else the browser's `Accept-Language`;
//! for the API, `Accept-Language`. A tag falls back along the usual chain (`pt-PT` → `pt` →
//! `pt-BR`, the closest shipped one) and then to `user_account.default_locale`; an unknown or
//! malformed tag is never an error.
//!
//! Messages are text, never markup: the mails' HTML templates and the page's template escape
//! them, placeables included, so neither a translation nor a name can add a link or a tag.

use std::collections::HashMap;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use unic_langid::{CharacterDirection, LanguageIdentifier};

mod load;
mod page;
mod placeholder;
mod variables;
pub(crate) use page::PageString;

/// The three areas a language's messages are split into, one `.ftl` file each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Area {
    /// Mail subjects and bodies (`mail.ftl`).
    Mail,
    /// The reset page (`page.ftl`).
    Page,
    /// API error messages and the password policy's feedback (`api.ftl`).
    Api,
}

impl Area {
    /// Every area.
    pub(crate) const ALL: [Area; 3] = [Area::Mail, Area::Page, Area::Api];

    /// The file's name in a language's folder.
    pub(crate) fn file_name(self) -> &'static str {
        match self {
            Area::Mail => "mail.ftl",
            Area::Page => "page.ftl",
            Area::Api => "api.ftl",
        }
    }

    /// The variables the code passes to this area's messages: a message may use these and
    /// no other.
    pub(crate) fn variables(self) -> &'static [&'static str] {
        match self {
            Area::Mail => &["product_name", "display_name", "expires_at", "ttl_minutes", "changed_at"],
            Area::Page => &["product_name", "min", "max", "n", "wait", "time", "title", "email"],
            Area::Api => &[
                "detail",
                "field",
                "other",
                "max",
                "min",
                "limit",
                "retry_after",
                "min_length",
                "max_length",
            ],
        }
    }
}

/// One language: its tag and a bundle per area.
struct Language {
    tag: LanguageIdentifier,
    /// The tag as written (`pt-BR`), for `Content-Language` and `lang`.
    name: String,
    bundles: HashMap<Area, FluentBundle<FluentResource>>,
    /// How a mail writes a date and time: a strftime pattern and the locale of its names.
    datetime: (String, chrono::Locale),
}

impl AsRef<LanguageIdentifier> for Language {
    fn as_ref(&self) -> &LanguageIdentifier {
        &self.tag
    }
}

/// A language of a [`Locales`], as an index: cheap to copy and to carry through a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Lang(usize);

/// Every language the crate speaks, loaded and checked at ignition; managed by the fairing.
pub struct Locales {
    languages: Vec<Language>,
    default: Lang,
    /// Each area's message ids (the English files'): what every language has.
    ids: HashMap<Area, std::collections::BTreeSet<String>>,
}

impl std::fmt::Debug for Locales {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let tags: Vec<&str> = self.languages.iter().map(|l| l.name.as_str()).collect();
        f.debug_struct("Locales").field("languages", &tags).field("default", &self.default).finish()
    }
}

impl Locales {
    /// The message ids of `area`.
    pub(crate) fn ids(&self, area: Area) -> impl Iterator<Item = &str> {
        self.ids.get(&area).into_iter().flatten().map(String::as_str)
    }

    /// The language `user_account.default_locale` names.
    #[cfg(any(test, feature = "bench"))]
    pub(crate) fn default_lang(&self) -> Lang {
        self.default
    }

    /// Every language, in the order they were loaded (the shipped ones first).
    pub(crate) fn all(&self) -> impl Iterator<Item = Lang> {
        (0..self.languages.len()).map(Lang)
    }

    /// The tag of `lang` as written in its folder's name (`pt-BR`): for `Content-Language`,
    /// `lang="…"` and the link's `?lang=`.
    pub(crate) fn tag(&self, lang: Lang) -> &str {
        &self.language(lang).name
    }

    /// `rtl` for a right-to-left language, else `ltr`: for `dir="…"`.
    pub(crate) fn dir(&self, lang: Lang) -> &'static str {
        match self.language(lang).tag.character_direction() {
            CharacterDirection::RTL => "rtl",
            _ => "ltr",
        }
    }

    fn language(&self, lang: Lang) -> &Language {
        // A `Lang` is made only here, from an index into this `Locales`' languages (never from
        // a request's value), so it is in range.
        &self.languages[lang.0]
    }

    /// The language for a tag from an account or a request: the closest one this crate speaks
    /// (`pt-PT` → `pt-BR`, `de-CH` → `de`), else the default. An unknown or malformed tag is
    /// not an error.
    pub(crate) fn for_tag(&self, tag: Option<&str>) -> Lang {
        tag.and_then(|t| self.closest(t)).unwrap_or(self.default)
    }

    /// The language closest to `tag` that this crate speaks, if any.
    pub(crate) fn closest(&self, tag: &str) -> Option<Lang> {
        let requested: LanguageIdentifier = tag.trim().parse().ok()?;
        self.spoken(std::slice::from_ref(&requested))
    }

    /// The language for an `Accept-Language` header: the first, by quality, that this crate
    /// speaks (or one close to it), else the default.
    pub(crate) fn for_accept_language(&self, header: Option<&str>) -> Lang {
        self.spoken(&accepted(header.unwrap_or(""))).unwrap_or(self.default)
    }

    /// The first language of an `Accept-Language` header this crate speaks (or one close to
    /// it), if any.
    pub(crate) fn spoken_in(&self, header: Option<&str>) -> Option<Lang> {
        self.spoken(&accepted(header?))
    }

    /// The first of `requested` this crate speaks (or one close to it).
    fn spoken(&self, requested: &[LanguageIdentifier]) -> Option<Lang> {
        // Over the languages themselves: nothing is copied on a request's path.
        let found = fluent_langneg::negotiate::filter_matches(
            requested,
            &self.languages,
            fluent_langneg::NegotiationStrategy::Lookup,
        );
        let first = found.first()?;
        self.languages.iter().position(|l| std::ptr::eq(l, *first)).map(Lang)
    }

    /// The message `id` of `area` in `lang`, formatted with `args`. Every message exists in
    /// every language (checked at ignition); should one not, its id is returned, never a panic.
    pub(crate) fn message(&self, lang: Lang, area: Area, id: &str, args: Option<&FluentArgs<'_>>) -> String {
        let Some(bundle) = self.language(lang).bundles.get(&area) else {
            return id.to_owned();
        };
        format(bundle, id, args).unwrap_or_else(|_| id.to_owned())
    }

    /// `at` as a mail in `lang` writes a date and time (with its time zone, UTC).
    pub(crate) fn datetime(&self, lang: Lang, at: chrono::DateTime<chrono::Utc>) -> String {
        let (pattern, locale) = &self.language(lang).datetime;
        // The pattern was checked at ignition, so formatting it cannot fail.
        at.format_localized(pattern, *locale).to_string()
    }
}

/// The message `id` of `bundle`, or what kept it from formatting.
fn format(
    bundle: &FluentBundle<FluentResource>,
    id: &str,
    args: Option<&FluentArgs<'_>>,
) -> Result<String, String> {
    let message = bundle.get_message(id).ok_or_else(|| format!("message `{id}` is missing"))?;
    let pattern = message.value().ok_or_else(|| format!("message `{id}` has no value"))?;
    let mut errors = Vec::new();
    let text = bundle.format_pattern(pattern, args, &mut errors);
    match errors.first() {
        None => Ok(text.into_owned()),
        Some(e) => Err(format!("message `{id}` does not format: {e}")),
    }
}

/// The language ranges of an `Accept-Language` header, best first (by `q`, then by order),
/// without those it refuses (`q=0`) and those that do not parse. At most 16 are read.
fn accepted(header: &str) -> Vec<LanguageIdentifier> {
    let mut ranges: Vec<(u16, LanguageIdentifier)> = header
        .split(',')
        .take(16)
        .filter_map(|item| {
            let mut parts = item.split(';');
            let tag: LanguageIdentifier = parts.next()?.trim().parse().ok()?;
            let q = parts.filter_map(|p| p.trim().strip_prefix("q=")).next().map_or(Some(1000), |q| {
                q.trim().parse::<f32>().ok().map(|q| (q.clamp(0.0, 1.0) * 1000.0) as u16)
            })?;
            (q > 0).then_some((q, tag))
        })
        .collect();
    // A stable sort keeps the header's order among equal qualities.
    ranges.sort_by_key(|r| std::cmp::Reverse(r.0));
    ranges.into_iter().map(|(_, tag)| tag).collect()
}

/// Fluent arguments from `(name, value)` pairs.
pub(crate) fn args<'a>(values: impl IntoIterator<Item = (&'a str, FluentValue<'a>)>) -> FluentArgs<'a> {
    let mut args = FluentArgs::new();
    for (name, value) in values {
        args.set(name, value);
    }
    args
}

#[cfg(test)]
mod tests;
