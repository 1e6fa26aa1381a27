//! `USER#<telegram id>` / `USER`: `link` (JSON), `link_id` (the linked person's code, for
//! conditions), `state` (the dialogue's JSON), `version`, `chat_id`, `unreachable`, `lang` (`ru`,
//! `en`) and `lang_chosen` (chosen with `/language`, not detected).

use crate::dialogue::{Language, State, UserRecord};
use crate::domain::{Link, TelegramUserId};
use crate::dynamo::attr::*;
use crate::dynamo::keys;
use crate::ports::StoreError;
use crate::texts::Lang;
use chrono::{DateTime, Utc};
use serde_json::{json, Value};

/// The record as a commit writes it whole (`unreachable` only when this commit sets it).
pub struct Written<'a> {
    pub user_id: TelegramUserId,
    pub chat_id: i64,
    pub link: Option<&'a Link>,
    pub state: &'a State,
    pub version: u64,
    pub unreachable: bool,
    pub language: Option<Language>,
    pub now: DateTime<Utc>,
}

pub fn to_item(user: &Written<'_>) -> Result<Item, StoreError> {
    let mut item = keyed(keys::user(user.user_id));
    item.extend([
        ("state".to_owned(), s(serde_json::to_string(user.state).map_err(|_| corrupt("state"))?)),
        ("version".to_owned(), n(user.version)),
        ("chat_id".to_owned(), n(user.chat_id)),
        ("updated_at".to_owned(), time(user.now)),
    ]);
    if user.unreachable {
        item.insert("unreachable".into(), b(true));
    }
    if let Some(language) = user.language {
        item.insert("lang".into(), s(language.lang.code()));
        item.insert("lang_chosen".into(), b(language.chosen));
    }
    if let Some(link) = user.link {
        item.insert("link".into(), s(link_json(link)));
        item.insert("link_id".into(), s(link.person().code()));
    }
    Ok(item)
}

pub fn from_item(item: &Item) -> Result<UserRecord, StoreError> {
    let link = get_s(item, "link").map(link_from_json).transpose()?;
    let state = match get_s(item, "state") {
        Some(json) => serde_json::from_str(json).unwrap_or_else(|_| {
            // A state written by another version of the dialogue: start over rather than fail forever.
            tracing::warn!("unreadable dialogue state reset");
            State::Idle
        }),
        None => State::Idle,
    };
    let version = get_u64(item, "version").ok_or_else(|| corrupt("user version"))?;
    Ok(UserRecord { link, state, version, language: language(item) })
}

/// The person the record is linked to (`link_id`), if any.
pub fn person(item: &Item) -> Option<crate::domain::Person> {
    get_s(item, "link_id").and_then(crate::domain::Person::from_code)
}

pub fn is_unreachable(item: &Item) -> bool {
    get_bool(item, "unreachable").unwrap_or(false)
}

/// The language kept on the record; none when it has none (or one this version does not speak).
pub fn language(item: &Item) -> Option<Language> {
    let lang = get_s(item, "lang").and_then(Lang::from_code)?;
    Some(Language { lang, chosen: get_bool(item, "lang_chosen").unwrap_or(false) })
}

/// `{"kind": "contact", "contact_id", "client_id", "name"}` or `{"kind": "employee", "employee_id", "name"}`.
pub fn link_json(link: &Link) -> String {
    match link {
        Link::Contact { contact_id, client_id, name } => {
            json!({"kind": "contact", "contact_id": contact_id, "client_id": client_id, "name": name})
        }
        Link::Employee { employee_id, name } => json!({"kind": "employee", "employee_id": employee_id, "name": name}),
    }
    .to_string()
}

fn link_from_json(text: &str) -> Result<Link, StoreError> {
    let value: Value = serde_json::from_str(text).map_err(|_| corrupt("user link"))?;
    let field =
        |name: &str| value.get(name).and_then(Value::as_str).map(str::to_owned).ok_or_else(|| corrupt("user link"));
    match value.get("kind").and_then(Value::as_str) {
        Some("contact") => {
            Ok(Link::Contact { contact_id: field("contact_id")?, client_id: field("client_id")?, name: field("name")? })
        }
        Some("employee") => Ok(Link::Employee { employee_id: field("employee_id")?, name: field("name")? }),
        _ => Err(corrupt("user link")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_round_trip_in_the_stored_shape() {
        let contact = Link::Contact { contact_id: "c1".into(), client_id: "k1".into(), name: "Анна".into() };
        let employee = Link::Employee { employee_id: "e1".into(), name: "Пётр".into() };
        for link in [contact, employee] {
            assert_eq!(link_from_json(&link_json(&link)).unwrap(), link);
        }
        // As earlier versions stored it.
        let stored = r#"{"kind":"contact","contact_id":"c1","client_id":"k1","name":"Анна"}"#;
        assert!(matches!(link_from_json(stored), Ok(Link::Contact { .. })));
        assert!(link_from_json(r#"{"kind":"boss"}"#).is_err());
    }

    #[test]
    fn the_language_round_trips_and_a_record_without_one_has_none() {
        let state = State::Idle;
        let written = |language| Written {
            user_id: 1,
            chat_id: 1,
            link: None,
            state: &state,
            version: 1,
            unreachable: false,
            language,
            now: Utc::now(),
        };
        for language in
            [None, Some(Language { lang: Lang::En, chosen: true }), Some(Language { lang: Lang::Ru, chosen: false })]
        {
            let item = to_item(&written(language)).unwrap();
            assert_eq!(from_item(&item).unwrap().language, language);
        }
        let mut item = to_item(&written(None)).unwrap();
        item.insert("lang".into(), s("xx"));
        assert_eq!(from_item(&item).unwrap().language, None, "a language this version does not speak");
    }
}
