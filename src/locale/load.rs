//! Loading the languages at ignition: the embedded resources, a host's files over them, and
//! every check that keeps a broken or incomplete resource from reaching a person.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentResource, FluentValue};
use fluent_syntax::ast;
use unic_langid::LanguageIdentifier;

use super::variables::variables;
use super::{format, placeholder, Area, Lang, Language, Locales};

/// The shipped languages, by folder name, with their embedded files (mail, page, api).
macro_rules! shipped {
    ($($tag:literal),* $(,)?) => {
        [$(($tag, [
            include_str!(concat!("../../templates/user_account/locales/", $tag, "/mail.ftl")),
            include_str!(concat!("../../templates/user_account/locales/", $tag, "/page.ftl")),
            include_str!(concat!("../../templates/user_account/locales/", $tag, "/api.ftl")),
        ])),*]
    };
}

/// Every shipped language; English first (the reference every other language is checked
/// against).
pub(crate) const SHIPPED: [(&str, [&str; 3]); 7] = shipped!["en", "de", "fr", "es", "pt-BR", "ja", "ar"];

/// One resource and where it came from, for messages that name it.
struct Source {
    origin: String,
    text: String,
}

impl Locales {
    /// The shipped languages with the host's files in `overrides` (`locales/<tag>/<area>.ftl`)
    /// over them, every one checked, and `default_locale` as the fallback.
    ///
    /// # Errors
    /// A sentence naming the file (and the message) that does not read, parse, or pass a check,
    /// or a `default_locale` this crate does not speak.
    pub fn load(overrides: Option<&Path>, default_locale: &str) -> Result<Locales, String> {
        let mut sources: Vec<(String, HashMap<Area, Vec<Source>>)> = SHIPPED
            .iter()
            .map(|(tag, files)| {
                let by_area = Area::ALL
                    .iter()
                    .zip(files)
                    .map(|(area, text)| {
                        let origin = format!("locales/{tag}/{} (embedded)", area.file_name());
                        (*area, vec![Source { origin, text: (*text).to_owned() }])
                    })
                    .collect();
                ((*tag).to_owned(), by_area)
            })
            .collect();
        if let Some(dir) = overrides {
            host_files(&dir.join("locales"), &mut sources)?;
        }
        let reference = reference()?;
        let mut languages = Vec::with_capacity(sources.len());
        for (name, by_area) in sources {
            languages.push(language(&name, by_area, &reference)?);
        }
        let ids = reference.into_iter().map(|(area, ids)| (area, ids.into_keys().collect())).collect();
        let mut locales = Locales { languages, default: Lang(0), ids };
        let wanted: LanguageIdentifier = default_locale
            .parse()
            .map_err(|_| format!("user_account.default_locale: `{default_locale}` is not a language tag"))?;
        let default = locales.spoken(std::slice::from_ref(&wanted)).unwrap_or(Lang(0));
        if !locales.language(default).tag.matches(&wanted, true, true) {
            let tags: Vec<&str> = locales.languages.iter().map(|l| l.name.as_str()).collect();
            return Err(format!(
                "user_account.default_locale: `{default_locale}` is not a language this server speaks ({})",
                tags.join(", ")
            ));
        }
        locales.default = default;
        Ok(locales)
    }
}

/// Adds the host's files under `dir` (a folder per language tag) to `sources`.
fn host_files(dir: &Path, sources: &mut Vec<(String, HashMap<Area, Vec<Source>>)>) -> Result<(), String> {
    if !dir.is_dir() {
        return Ok(());
    }
    let entries = std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    let mut folders: Vec<_> =
        entries.filter_map(Result::ok).map(|e| e.path()).filter(|p| p.is_dir()).collect();
    folders.sort();
    for folder in folders {
        let name = folder.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_owned();
        let tag: LanguageIdentifier =
            name.parse().map_err(|_| format!("{}: `{name}` is not a language tag", folder.display()))?;
        let index = match sources
            .iter()
            .position(|(t, _)| t.parse::<LanguageIdentifier>().ok().as_ref() == Some(&tag))
        {
            Some(index) => index,
            None => {
                sources.push((name.clone(), HashMap::new()));
                sources.len() - 1
            }
        };
        for area in Area::ALL {
            let path = folder.join(area.file_name());
            if !path.is_file() {
                continue;
            }
            let text =
                std::fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            let origin = path.display().to_string();
            sources[index].1.entry(area).or_default().push(Source { origin, text });
        }
    }
    Ok(())
}

/// Each area's messages, from the embedded English files, with the variables each one uses.
type Reference = HashMap<Area, BTreeMap<String, BTreeSet<String>>>;

/// The [`Reference`].
fn reference() -> Result<Reference, String> {
    let (_, files) = SHIPPED[0];
    Area::ALL
        .iter()
        .zip(files)
        .map(|(area, text)| {
            let resource = parse(text, &format!("locales/en/{}", area.file_name()))?;
            let ids = messages(&resource)
                .map(|m| (m.id.name.to_owned(), uses(m).into_iter().map(str::to_owned).collect()));
            Ok((*area, ids.collect()))
        })
        .collect()
}

/// The variables `message` uses.
fn uses<'s>(message: &ast::Message<&'s str>) -> BTreeSet<&'s str> {
    let mut used = BTreeSet::new();
    if let Some(value) = &message.value {
        variables(value, &mut used);
    }
    used
}

/// The variables the message `id` of `area` may use: for a mail or the page, any the area
/// passes (each of their messages gets them all); for the API, the English message's own (an
/// error passes only the values its sentence needs).
fn allowed(area: Area, english: &BTreeSet<String>) -> Vec<&str> {
    match area {
        Area::Api => english.iter().map(String::as_str).collect(),
        Area::Mail | Area::Page => area.variables().to_vec(),
    }
}

/// Parses `text`, or names the first line that does not parse.
fn parse<'s>(text: &'s str, origin: &str) -> Result<ast::Resource<&'s str>, String> {
    fluent_syntax::parser::parse(text).map_err(|(_, errors)| {
        let first = &errors[0];
        let line = text[..first.pos.start.min(text.len())].lines().count().max(1);
        format!("{origin}: line {line} does not parse: {}", first.kind)
    })
}

fn messages<'r, 's>(resource: &'r ast::Resource<&'s str>) -> impl Iterator<Item = &'r ast::Message<&'s str>> {
    resource.body.iter().filter_map(|entry| match entry {
        ast::Entry::Message(m) => Some(m),
        _ => None,
    })
}

/// One language from its resources, checked against the English ids.
fn language(
    name: &str,
    mut by_area: HashMap<Area, Vec<Source>>,
    reference: &Reference,
) -> Result<Language, String> {
    let tag: LanguageIdentifier = name.parse().map_err(|_| format!("`{name}` is not a language tag"))?;
    let mut bundles = HashMap::new();
    for area in Area::ALL {
        let sources = by_area.remove(&area).unwrap_or_default();
        let origin = sources
            .last()
            .map_or_else(|| format!("locales/{name}/{}", area.file_name()), |s| s.origin.clone());
        let mut bundle = FluentBundle::new_concurrent(vec![tag.clone()]);
        // Isolation marks keep a left-to-right name from reordering a right-to-left sentence
        // (and the other way round); in a left-to-right language they would only be noise.
        bundle.set_use_isolating(matches!(tag.character_direction(), unic_langid::CharacterDirection::RTL));
        bundle.set_formatter(Some(placeholder::formatter));
        // Fluent's own functions (NUMBER), which a translator may reach for.
        bundle.add_builtins().map_err(|e| format!("{origin}: {e}"))?;
        let expected = &reference[&area];
        for source in sources {
            let resource = parse(&source.text, &source.origin)?;
            for message in messages(&resource) {
                let id = message.id.name;
                let Some(english) = expected.get(id) else {
                    return Err(format!("{}: message `{id}` is not one this crate uses", source.origin));
                };
                let allowed = allowed(area, english);
                if let Some(unknown) = uses(message).iter().find(|v| !allowed.contains(v)) {
                    let passed: Vec<String> = allowed.iter().map(|v| format!("${v}")).collect();
                    return Err(format!(
                        "{}: message `{id}` uses ${unknown}, which this crate does not pass to it (it passes {})",
                        source.origin,
                        if passed.is_empty() { "none".to_owned() } else { passed.join(", ") }
                    ));
                }
            }
            let resource = FluentResource::try_new(source.text)
                .map_err(|_| format!("{}: does not parse", source.origin))?;
            bundle.add_resource_overriding(resource);
        }
        for id in expected.keys() {
            if !bundle.has_message(id) {
                return Err(format!("{origin}: message `{id}` is missing"));
            }
            // Each count once per plural form it can take (CLDR's categories all fall within
            // these), so that a broken variant is found whichever form it is.
            for count in SAMPLE_COUNTS {
                format(&bundle, id, Some(&sample_args(area, count))).map_err(|e| format!("{origin}: {e}"))?;
            }
        }
        bundles.insert(area, bundle);
    }
    let mail = &bundles[&Area::Mail];
    let pattern = format(mail, "mail-datetime-pattern", None)?;
    let locale_name = format(mail, "mail-datetime-locale", None)?;
    let origin = format!("locales/{name}/mail.ftl");
    let locale = chrono::Locale::try_from(locale_name.trim()).map_err(|_| {
        format!("{origin}: mail-datetime-locale `{locale_name}` is not a locale chrono knows (e.g. de_DE)")
    })?;
    if chrono::format::StrftimeItems::new_with_locale(&pattern, locale)
        .any(|item| matches!(item, chrono::format::Item::Error))
    {
        return Err(format!("{origin}: mail-datetime-pattern `{pattern}` is not a strftime pattern"));
    }
    // The canonical form (`it_IT` is `it-IT`), as headers and links write a tag.
    Ok(Language { name: tag.to_string(), tag, bundles, datetime: (pattern, locale) })
}

/// The counts every message is formatted with at ignition: one of every plural category of
/// every language CLDR knows, and zero.
const SAMPLE_COUNTS: [u32; 8] = [0, 1, 2, 3, 5, 11, 21, 101];

/// A value for every variable an area passes (`count` for the numbers), so that every message
/// can be formatted once.
fn sample_args(area: Area, count: u32) -> fluent_bundle::FluentArgs<'static> {
    super::args(area.variables().iter().map(|name| (*name, sample(name, count))))
}

fn sample(name: &str, count: u32) -> FluentValue<'static> {
    match name {
        "ttl_minutes" | "retry_after" | "min" | "max" | "n" | "min_length" | "max_length" => {
            FluentValue::from(count)
        }
        _ => FluentValue::from("sample"),
    }
}
