//! The staff API on the in-memory store: routing, validation, storage failures.

use super::*;
use crate::ports::TicketFilter;
use crate::test_util::memory::{Fault, InMemoryStore, Operation};
use serde_json::json;

const TOKEN: &str = "api-token-0123456789";

use crate::test_util::FakeLinks as Links;

fn api(store: &InMemoryStore) -> Api<InMemoryStore, Links> {
    Api { directory: store.clone(), links: Links::default(), token: Secret::new(TOKEN), region: "RU".parse().unwrap() }
}

async fn call(api: &Api<InMemoryStore, Links>, method: &str, path: &str, body: Value) -> ApiResponse {
    let body = if body.is_null() { vec![] } else { body.to_string().into_bytes() };
    let (path, query) = path.split_once('?').unwrap_or((path, ""));
    let authorization = format!("Bearer {TOKEN}");
    let request =
        ApiRequest { method, path, query, authorization: Some(&authorization), idempotency_key: None, body: &body };
    api.handle(request, Utc::now()).await
}

/// A client k1 with manager e1 and an active contact c1.
async fn directory(api: &Api<InMemoryStore, Links>) {
    assert_eq!(call(api, "PUT", "/employees/e1", json!({"name": "Пётр"})).await.status, 201);
    let client = json!({"name": "ООО Ромашка", "manager_id": "e1", "vip": true});
    assert_eq!(call(api, "PUT", "/clients/k1", client).await.status, 201);
    let contact = json!({"name": "Анна", "phone": "8 (912) 345-67-89", "client_id": "k1"});
    assert_eq!(call(api, "PUT", "/contacts/c1", contact).await.status, 201);
}

#[tokio::test]
async fn without_the_token_nothing_is_read() {
    let store = InMemoryStore::new();
    let request = ApiRequest {
        method: "GET",
        path: "/clients/k1",
        query: "",
        authorization: None,
        idempotency_key: None,
        body: &[],
    };
    assert_eq!(api(&store).handle(request, Utc::now()).await.status, 401);
    assert_eq!(store.round_trips(), 0);
}

#[tokio::test]
async fn directory_records_are_created_then_replaced() {
    let store = InMemoryStore::new();
    let api = api(&store);
    directory(&api).await;
    let again =
        call(&api, "PUT", "/clients/k1", json!({"name": "ООО Ромашка+", "manager_id": null, "vip": false})).await;
    assert_eq!(again.status, 200);
    let read = call(&api, "GET", "/contacts/c1", Value::Null).await;
    assert_eq!(read.status, 200);
    assert_eq!(read.body["phone"], "+79123456789", "normalised to E.164");
    assert_eq!(read.body["telegram_linked"], false);
}

#[tokio::test]
async fn bad_references_are_refused_with_the_field_named() {
    let store = InMemoryStore::new();
    let api = api(&store);
    directory(&api).await;
    // A well-formed id of nothing is 404 `unknown_reference` naming the field; an id of a shape
    // the document refuses is 422. Either way nothing is written.
    for (method, path, body, field) in [
        ("PUT", "/contacts/c9", json!({"name": "Ян", "phone": "+79120000000", "client_id": "nope"}), "client_id"),
        ("PUT", "/clients/k9", json!({"name": "ООО", "manager_id": "nope"}), "manager_id"),
        ("POST", "/tickets", json!({"contact_id": "nope", "subject": "s", "source": "phone"}), "contact_id"),
    ] {
        let unknown = call(&api, method, path, body.clone()).await;
        assert_eq!((unknown.status, &unknown.body["error"]["code"]), (404, &json!("unknown_reference")), "{path}");
        assert!(unknown.body["error"]["message"].as_str().unwrap().starts_with(field), "{}", unknown.body);
        let mut malformed = body;
        malformed[field] = json!("not an id");
        let refused = call(&api, method, path, malformed).await;
        assert_eq!(refused.status, 422, "{path}: {}", refused.body);
        assert!(refused.body["error"]["message"].as_str().unwrap().starts_with(field), "{}", refused.body);
    }
    assert_eq!(call(&api, "GET", "/contacts/c9", Value::Null).await.status, 404);
    assert_eq!(call(&api, "GET", "/clients/k9", Value::Null).await.status, 404);
    assert_eq!(call(&api, "GET", "/tickets", Value::Null).await.body["tickets"], json!([]));
    let no_json = api
        .handle(
            ApiRequest {
                method: "PUT",
                path: "/clients/k1",
                query: "",
                authorization: Some(&format!("Bearer {TOKEN}")),
                idempotency_key: None,
                body: b"{",
            },
            Utc::now(),
        )
        .await;
    assert_eq!(no_json.status, 400);
    assert_eq!(call(&api, "GET", "/nowhere", Value::Null).await.body["error"]["code"], "no_such_path");
    assert_eq!(call(&api, "DELETE", "/clients/k1", Value::Null).await.status, 405);
}

#[tokio::test]
async fn a_ticket_is_created_changed_and_journaled() {
    let store = InMemoryStore::new();
    let api = api(&store);
    directory(&api).await;
    let created =
        call(&api, "POST", "/tickets", json!({"contact_id": "c1", "subject": "Почта", "source": "email"})).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.body["id"].as_u64().unwrap();
    let patched = call(
        &api,
        "PATCH",
        &format!("/tickets/{id}"),
        json!({"status": "in_progress", "assignee_id": "e1", "by": "e1"}),
    )
    .await;
    assert_eq!(patched.status, 200, "{}", patched.body);
    let read = call(&api, "GET", &format!("/tickets/{id}"), Value::Null).await;
    assert_eq!(read.body["status"], "in_progress");
    let events: Vec<(&str, &str)> = read.body["journal"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["event"].as_str().unwrap(), e["by"].as_str().unwrap()))
        .collect();
    assert!(events.contains(&("created", "api")), "{events:?}");
    assert!(events.contains(&("status_changed", "employee:e1")), "{events:?}");
    let listed = call(&api, "GET", "/tickets?contact_id=c1&status=in_progress", Value::Null).await;
    assert_eq!(listed.body["tickets"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_concurrent_change_is_409_and_a_storage_failure_503() {
    let store = InMemoryStore::new();
    let api = api(&store);
    directory(&api).await;
    let created =
        call(&api, "POST", "/tickets", json!({"contact_id": "c1", "subject": "Почта", "source": "email"})).await;
    let path = format!("/tickets/{}", created.body["id"]);
    // A lost race is read and decided again; one that keeps being lost is the caller's to repeat.
    store.fail_next(Operation::UpdateTicket, Fault::Conflict);
    let retried = call(&api, "PATCH", &path, json!({"status": "waiting"})).await;
    assert_eq!((retried.status, store.calls(Operation::UpdateTicket)), (200, 2));
    store.fail_next_n(Operation::UpdateTicket, Fault::Conflict, 3);
    let raced = call(&api, "PATCH", &path, json!({"status": "done"})).await;
    assert_eq!((raced.status, raced.body["error"]["code"].as_str()), (409, Some("conflict")));
    store.fail_next(Operation::TicketDetails, Fault::Unavailable);
    let down = call(&api, "GET", &path, Value::Null).await;
    assert_eq!((down.status, down.body["error"]["code"].as_str()), (503, Some("unavailable")));
    assert_eq!(
        call(&api, "GET", &path, Value::Null).await.body["status"],
        "waiting",
        "the refused change left nothing"
    );
}

#[tokio::test]
async fn internal_notes_are_stored_as_internal() {
    let store = InMemoryStore::new();
    let api = api(&store);
    directory(&api).await;
    let created =
        call(&api, "POST", "/tickets", json!({"contact_id": "c1", "subject": "Почта", "source": "email"})).await;
    let id = created.body["id"].as_u64().unwrap();
    let note = json!({"author_id": "e1", "text": "между нами", "internal": true});
    assert_eq!(call(&api, "POST", &format!("/tickets/{id}/comments"), note).await.status, 201);
    let details = store.ticket_details(id).await.unwrap().unwrap();
    assert!(details.comments[0].internal);
}

#[tokio::test]
async fn a_misspelt_or_mistyped_internal_flag_is_refused_and_nothing_stored() {
    let store = InMemoryStore::new();
    let api = api(&store);
    directory(&api).await;
    let created = call(&api, "POST", "/tickets", json!({"contact_id": "c1", "subject": "Тема", "source": "web"})).await;
    let comments = format!("/tickets/{}/comments", created.body["id"]);
    for (body, field) in [
        (json!({"author_id": "e1", "text": "Только для своих", "is_internal": true}), "is_internal"),
        (json!({"author_id": "e1", "text": "Только для своих", "internal": "yes"}), "internal"),
        (json!({"author_id": "e1", "text": "Только для своих", "internal": null}), "internal"),
    ] {
        let refused = call(&api, "POST", &comments, body).await;
        assert_eq!(refused.status, 422, "{}", refused.body);
        let message = refused.body["error"]["message"].as_str().unwrap();
        assert!(message.starts_with(&format!("{field}: ")), "{message}");
        assert!(!message.contains("line 1"), "no parser positions: {message}");
    }
    let ticket = call(&api, "GET", &format!("/tickets/{}", created.body["id"]), Value::Null).await;
    assert_eq!(ticket.body["comments"], json!([]), "nothing stored");
}

#[tokio::test]
async fn every_body_refuses_unknown_fields_with_the_field_named() {
    let store = InMemoryStore::new();
    let api = api(&store);
    directory(&api).await;
    let created = call(&api, "POST", "/tickets", json!({"contact_id": "c1", "subject": "Тема", "source": "web"})).await;
    let id = created.body["id"].clone();
    for (method, path, body) in [
        ("PUT", "/clients/k2".to_owned(), json!({"name": "ООО", "vipp": true})),
        (
            "PUT",
            "/contacts/c2".to_owned(),
            json!({"name": "Ян", "phone": "+79120000000", "client_id": "k1", "vipp": 1}),
        ),
        ("PUT", "/employees/e2".to_owned(), json!({"name": "Ян", "vipp": 1})),
        ("POST", "/tickets".to_owned(), json!({"contact_id": "c1", "subject": "x", "source": "web", "vipp": 1})),
        ("POST", format!("/tickets/{id}/comments"), json!({"author_id": "e1", "text": "x", "vipp": 1})),
        ("PATCH", format!("/tickets/{id}"), json!({"status": "done", "vipp": 1})),
    ] {
        let refused = call(&api, method, &path, body).await;
        assert_eq!(refused.status, 422, "{method} {path}: {}", refused.body);
        let message = refused.body["error"]["message"].as_str().unwrap();
        assert!(message.starts_with("vipp: unknown field `vipp`, expected "), "{method} {path}: {message}");
    }
    for path in ["/clients/k2", "/contacts/c2", "/employees/e2"] {
        assert_eq!(call(&api, "GET", path, Value::Null).await.status, 404, "{path} not stored");
    }
    let listed = call(&api, "GET", "/tickets", Value::Null).await;
    assert_eq!(listed.body["tickets"].as_array().map(Vec::len), Some(1), "one ticket");
    assert_eq!(listed.body["tickets"][0]["status"], "new", "the patch changed nothing");
}

/// A call with an `Idempotency-Key` at a given moment.
async fn call_keyed(
    api: &Api<InMemoryStore, Links>,
    path: &str,
    body: &Value,
    key: &str,
    now: DateTime<Utc>,
) -> ApiResponse {
    call_keyed_raw(api, path, body.to_string().as_bytes(), key, now).await
}

/// [`call_keyed`] with the body's bytes as written.
async fn call_keyed_raw(
    api: &Api<InMemoryStore, Links>,
    path: &str,
    body: &[u8],
    key: &str,
    now: DateTime<Utc>,
) -> ApiResponse {
    let authorization = format!("Bearer {TOKEN}");
    let request = ApiRequest {
        method: "POST",
        path,
        query: "",
        authorization: Some(&authorization),
        idempotency_key: Some(key),
        body,
    };
    api.handle(request, now).await
}

async fn tickets_in(store: &InMemoryStore) -> usize {
    store.list_tickets(&TicketFilter::default(), None, crate::ports::PAGE_MAX).await.unwrap().items.len()
}

const NEW_TICKET: &str = r#"{"contact_id": "c1", "subject": "Не работает почта", "source": "email"}"#;

#[tokio::test]
async fn a_repeated_key_answers_the_first_ticket_and_creates_nothing() {
    let store = InMemoryStore::new();
    let api = api(&store);
    directory(&api).await;
    let body: Value = serde_json::from_str(NEW_TICKET).unwrap();
    let now = Utc::now();
    let first = call_keyed(&api, "/tickets", &body, "order-1", now).await;
    assert_eq!(first.status, 201, "{}", first.body);
    let again = call_keyed(&api, "/tickets", &body, "order-1", now + chrono::Duration::hours(23)).await;
    assert_eq!((again.status, &again.body), (201, &first.body), "the first answer, as it was");
    let reordered = r#"{ "source": "email",  "subject": "Не работает почта", "contact_id": "c1" }"#;
    let same = call_keyed_raw(&api, "/tickets", reordered.as_bytes(), "order-1", now).await;
    assert_eq!((same.status, &same.body), (201, &first.body), "the same fields in another order: the same request");
    assert_eq!(tickets_in(&store).await, 1);
    assert_eq!(store.calls(Operation::NextTicketId), 1, "a repeat allocates no number");

    let other = json!({"contact_id": "c1", "subject": "Другая тема", "source": "email"});
    let refused = call_keyed(&api, "/tickets", &other, "order-1", now).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.body["error"]["message"].as_str().unwrap().starts_with("Idempotency-Key: "));
    assert_eq!(tickets_in(&store).await, 1, "another body under the key creates nothing");

    let day_later = call_keyed(&api, "/tickets", &other, "order-1", now + chrono::Duration::hours(25)).await;
    assert_eq!(day_later.status, 201, "a key is free again after a day");
    assert_ne!(day_later.body["id"], first.body["id"]);
    let unkeyed = call(&api, "POST", "/tickets", body.clone()).await;
    assert_eq!(unkeyed.status, 201);
    assert_eq!(tickets_in(&store).await, 3, "without a key every request creates");
}

#[tokio::test]
async fn a_lost_answer_is_found_by_the_retry() {
    let store = InMemoryStore::new();
    let api = api(&store);
    directory(&api).await;
    let body: Value = serde_json::from_str(NEW_TICKET).unwrap();
    store.fail_next(Operation::CreateTicket, Fault::LostReply);
    let lost = call_keyed(&api, "/tickets", &body, "order-2", Utc::now()).await;
    assert_eq!(lost.status, 503, "the write was committed but its caller never learned it");
    let retry = call_keyed(&api, "/tickets", &body, "order-2", Utc::now()).await;
    assert_eq!(retry.status, 201, "{}", retry.body);
    assert_eq!(tickets_in(&store).await, 1, "the retry found the committed ticket");
    assert_eq!(retry.body["id"], 1);

    store.fail_next(Operation::CreateTicket, Fault::Unavailable);
    let failed = call_keyed(&api, "/tickets", &body, "order-3", Utc::now()).await;
    assert_eq!(failed.status, 503);
    let retry = call_keyed(&api, "/tickets", &body, "order-3", Utc::now()).await;
    assert_eq!(retry.status, 201, "nothing was kept for a write that did not happen");
    assert_eq!(tickets_in(&store).await, 2);
}

#[tokio::test]
async fn a_repeated_comment_is_stored_once_and_keys_are_checked() {
    let store = InMemoryStore::new();
    let api = api(&store);
    directory(&api).await;
    let created = call(&api, "POST", "/tickets", serde_json::from_str(NEW_TICKET).unwrap()).await;
    let path = format!("/tickets/{}/comments", created.body["id"]);
    let body = json!({"author_id": "e1", "text": "Посмотрю"});
    let first = call_keyed(&api, &path, &body, "note-1", Utc::now()).await;
    let again = call_keyed(&api, &path, &body, "note-1", Utc::now()).await;
    assert_eq!(first.status, 201, "{}", first.body);
    assert_eq!((again.status, &again.body), (201, &first.body));
    let ticket = call(&api, "GET", &format!("/tickets/{}", created.body["id"]), Value::Null).await;
    assert_eq!(ticket.body["comments"].as_array().map(Vec::len), Some(1), "one comment");
    let ticket_keyed =
        call_keyed(&api, "/tickets", &serde_json::from_str(NEW_TICKET).unwrap(), "note-1", Utc::now()).await;
    assert_eq!(ticket_keyed.status, 201, "one key on another path is another request");

    for key in ["", &"k".repeat(256), "ключ", "tab\there"] {
        let refused = call_keyed(&api, &path, &body, key, Utc::now()).await;
        assert_eq!(refused.status, 422, "{key:?}: {}", refused.body);
        assert!(refused.body["error"]["message"].as_str().unwrap().starts_with("Idempotency-Key: "));
    }
    assert_eq!(call_keyed(&api, &path, &body, &"k".repeat(255), Utc::now()).await.status, 201);
}

async fn import(api: &Api<InMemoryStore, Links>, kind: &str, csv: &str) -> ApiResponse {
    let authorization = format!("Bearer {TOKEN}");
    let path = format!("/import/{kind}");
    let request = ApiRequest {
        method: "POST",
        path: &path,
        query: "",
        authorization: Some(&authorization),
        idempotency_key: None,
        body: csv.as_bytes(),
    };
    api.handle(request, Utc::now()).await
}

#[tokio::test]
async fn an_import_over_the_limit_is_413_and_writes_nothing() {
    let store = InMemoryStore::new();
    let api = api(&store);
    directory(&api).await;
    let rows = |n: usize| -> String {
        let mut csv = String::from("id,name,phone,client_id\n");
        for i in 0..n {
            csv.push_str(&format!("x{i},Имя {i},+7912{i:07},k1\n"));
        }
        csv
    };
    let writes_before = store.calls(Operation::PutContact);
    let refused = import(&api, "contacts", &rows(IMPORT_MAX_ROWS + 1)).await;
    assert_eq!(refused.status, 413, "{}", refused.body);
    assert_eq!(refused.body["error"]["code"], "too_large");
    assert_eq!(store.calls(Operation::PutContact), writes_before, "nothing written");
    let taken = import(&api, "contacts", &rows(IMPORT_MAX_ROWS)).await;
    assert_eq!(taken.body, json!({"imported": IMPORT_MAX_ROWS, "rejected": []}));
}

#[tokio::test]
async fn a_repeated_import_is_the_same_and_every_refused_line_is_reported() {
    let store = InMemoryStore::new();
    let api = api(&store);
    directory(&api).await;
    let csv = "contact_id,name,phone,client_id,active\n\
               c2,Борис,+7 912 345 67 90,k1,\n\
               c3,Вера,123,k1,true\n\
               c2,Борис дважды,+7 912 345 67 91,k1,\n\
               c4,Глеб,+79123456792,k9,true\n\
               c5,Дина,+79123456793,k1,maybe\n\
               c6,Ева,+79123456794,k1,no\n";
    let first = import(&api, "contacts", csv).await;
    assert_eq!(first.status, 200, "{}", first.body);
    let lines: Vec<u64> =
        first.body["rejected"].as_array().unwrap().iter().map(|r| r["line"].as_u64().unwrap()).collect();
    assert_eq!(lines, [3, 4, 5, 6], "{}", first.body);
    assert!(first.body["rejected"][1]["reason"].as_str().unwrap().contains("line 2"), "{}", first.body);
    assert_eq!(first.body["imported"], 2);
    let again = import(&api, "contacts", csv).await;
    assert_eq!(again.body, first.body, "the same result");
    assert_eq!(call(&api, "GET", "/contacts/c2", Value::Null).await.body["name"], "Борис", "the first line won");
    assert_eq!(call(&api, "GET", "/contacts/c6", Value::Null).await.body["active"], false);
}

#[tokio::test]
async fn an_import_batch_that_lost_a_race_is_stored_line_by_line() {
    let store = InMemoryStore::new();
    let api = api(&store);
    directory(&api).await;
    store.fail_next(Operation::PutContacts, Fault::Conflict);
    let csv = "id,name,phone,client_id\nc2,Борис,+79123456790,k1\nc3,Вера,+79123456791,k1\n";
    let done = import(&api, "contacts", csv).await;
    assert_eq!(done.body, json!({"imported": 2, "rejected": []}));
    assert_eq!(store.calls(Operation::PutContact), 1 + 2, "the directory's one, then each line alone");
    assert_eq!(call(&api, "GET", "/contacts/c3", Value::Null).await.body["name"], "Вера");
}

#[tokio::test]
async fn a_page_of_call_back_requests_reads_each_contact_and_client_once() {
    use crate::dialogue::{Effect, State};
    use crate::ports::{Commit, UserStore};
    let store = InMemoryStore::new();
    let api = api(&store);
    directory(&api).await;
    // Анна asks five times (as requests made days apart would be).
    for update_id in 1..=5u64 {
        let before = store.load_user(77).await.unwrap();
        let effects =
            [Effect::RequestCallMe { id: format!("r{update_id}"), contact_id: "c1".into(), client_id: "k1".into() }];
        let at = Utc::now() - chrono::Duration::days(6 - update_id as i64);
        let commit = Commit {
            update_id,
            user_id: 77,
            chat_id: 77,
            before: &before,
            state: &State::Idle,
            effects: &effects,
            now: at,
            response: None,
        };
        store.commit(&commit).await.unwrap();
    }
    let (contacts, clients) = (store.calls(Operation::GetContact), store.calls(Operation::GetClient));
    let listed = call(&api, "GET", "/callback-requests", Value::Null).await;
    assert_eq!(listed.status, 200);
    let requests = listed.body["callback_requests"].as_array().unwrap();
    assert_eq!(requests.len(), 5);
    assert!(requests.iter().all(|r| r["contact"]["name"] == "Анна" && r["client"]["name"] == "ООО Ромашка"));
    assert_eq!(store.calls(Operation::GetContact) - contacts, 1, "the contact read once for the page");
    assert_eq!(store.calls(Operation::GetClient) - clients, 1, "the client read once for the page");
}

/// No input answers 5xx: ids that cannot be keys are refused where they enter (422 naming the
/// field, or 404 for a path), before the store could refuse them; and the store's own refusal
/// of a request (a bug here, not a passing fault) is a 500 with an error id, never a 503 that a
/// well-behaved client would repeat.
#[tokio::test]
async fn ids_that_cannot_be_keys_are_refused_where_they_enter_and_a_refused_request_is_500() {
    let store = InMemoryStore::new();
    let api = api(&store);
    directory(&api).await;
    let long = "x".repeat(3000);
    for (method, path, body, status, names) in [
        ("GET", "/tickets?contact_id=".to_owned(), Value::Null, 422, "contact_id"),
        ("GET", "/tickets?client_id=".to_owned(), Value::Null, 422, "client_id"),
        ("GET", format!("/tickets?contact_id={long}"), Value::Null, 422, "contact_id"),
        (
            "PUT",
            format!("/contacts/{long}"),
            json!({"name": "А", "phone": "+79123456789", "client_id": "k1"}),
            422,
            "id",
        ),
        ("GET", format!("/contacts/{long}"), Value::Null, 404, "contact"),
        ("GET", format!("/employees/{long}"), Value::Null, 404, "employee"),
        ("PATCH", format!("/callback-requests/{long}"), json!({"state": "done"}), 404, "call-back request"),
        (
            "POST",
            "/tickets".to_owned(),
            json!({"contact_id": "", "subject": "s", "source": "phone"}),
            422,
            "contact_id",
        ),
    ] {
        let answer = call(&api, method, &path, body).await;
        let message = answer.body["error"]["message"].as_str().unwrap_or_default().to_owned();
        assert_eq!(answer.status, status, "{method} {}: {}", &path[..path.len().min(40)], answer.body);
        assert!(message.contains(names), "{method}: {message}");
    }

    store.fail_next(Operation::TicketDetails, Fault::Rejected);
    let refused = call(&api, "GET", "/tickets/1", Value::Null).await;
    assert_eq!((refused.status, refused.body["error"]["code"].as_str()), (500, Some("internal_error")));
    assert!(refused.body["error"]["message"].as_str().unwrap().contains("error "), "an error id: {}", refused.body);
    assert!(refused.headers.is_empty(), "no Retry-After: a repeat is refused the same way");
    store.fail_next(Operation::TicketDetails, Fault::Unavailable);
    let down = call(&api, "GET", "/tickets/1", Value::Null).await;
    assert_eq!(down.status, 503);
    assert_eq!(down.headers, [("retry-after", "2".to_owned())]);
}

/// A method a path does not take is 405 with the `Allow` header RFC 9110 requires.
#[tokio::test]
async fn a_method_a_path_does_not_take_is_405_with_allow() {
    let store = InMemoryStore::new();
    let api = api(&store);
    for (method, path, allow) in [
        ("DELETE", "/clients/k1", "GET, PUT"),
        ("TRACE", "/contacts/c1", "GET, PUT"),
        ("DELETE", "/contacts/c1", "GET, PUT"),
        ("DELETE", "/employees/e1", "GET, PUT"),
        ("POST", "/employees/e1", "GET, PUT"),
        ("GET", "/import/clients", "POST"),
        ("POST", "/ratings/summary", "GET"),
        ("DELETE", "/callback-requests", "GET"),
        ("GET", "/callback-requests/x", "PATCH"),
        ("PUT", "/tickets", "GET, POST"),
        ("DELETE", "/tickets/1", "GET, PATCH"),
        ("GET", "/tickets/1/comments", "POST"),
        ("TRACE", "/clients/not an id", "GET, PUT"),
    ] {
        let answer = call(&api, method, path, Value::Null).await;
        assert_eq!(answer.status, 405, "{method} {path}");
        assert_eq!(answer.headers, [("allow", allow.to_owned())], "{method} {path}");
    }
}

/// Texts too long for a record are refused by name (they were a storage refusal: a 500), and an
/// `Idempotency-Key` belongs to the route however its path is written (`/tickets/`, `//tickets`,
/// a ticket id with leading zeros), so a retry through another spelling creates nothing twice.
#[tokio::test]
async fn long_texts_are_refused_by_name_and_a_key_belongs_to_the_route_however_written() {
    let store = InMemoryStore::new();
    let api = api(&store);
    directory(&api).await;
    let long = "ж".repeat(20_001);
    let ticket = json!({"contact_id": "c1", "subject": "Принтер", "source": "phone", "message": long});
    let refused = call(&api, "POST", "/tickets", ticket).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.body["error"]["message"].as_str().unwrap().starts_with("message"), "{}", refused.body);

    let body = json!({"contact_id": "c1", "subject": "Принтер", "source": "phone"});
    let first = call_keyed(&api, "/tickets", &body, "k-1", Utc::now()).await;
    assert_eq!(first.status, 201);
    let again = call_keyed(&api, "//tickets/", &body, "k-1", Utc::now()).await;
    assert_eq!(again.body["id"], first.body["id"], "the same creation");
    assert_eq!(tickets_in(&store).await, 1);
    let id = first.body["id"].as_u64().unwrap();
    let comment = json!({"author_id": "e1", "text": "Выезжаю"});
    let on_ticket = call_keyed(&api, &format!("/tickets/{id}/comments"), &comment, "k-2", Utc::now()).await;
    let padded = call_keyed(&api, &format!("/tickets/000{id}/comments"), &comment, "k-2", Utc::now()).await;
    assert_eq!((on_ticket.status, padded.body["id"].clone()), (201, on_ticket.body["id"].clone()));
    let long_comment = json!({"author_id": "e1", "text": long});
    assert_eq!(call(&api, "POST", &format!("/tickets/{id}/comments"), long_comment).await.status, 422);
}

/// A cursor is the place of the last record shown, `<nanoseconds>.<id>`: any value of that shape
/// is a place in the listing (200, wherever it points), any other shape is 422 — as the
/// document's pattern says.
#[tokio::test]
async fn any_cursor_of_the_documented_shape_is_a_place_and_no_other_is() {
    let store = InMemoryStore::new();
    let api = api(&store);
    directory(&api).await;
    for cursor in ["0.x", "1764000000000000000.42", "899999999999999999.r7", "8999999999999999999.a-b_c.d"] {
        for path in ["/tickets", "/callback-requests"] {
            let answer = call(&api, "GET", &format!("{path}?cursor={cursor}"), Value::Null).await;
            assert_eq!(answer.status, 200, "{path} {cursor}: {}", answer.body);
        }
    }
    for cursor in ["", ".", "12", "12.", ".x", "9999999999999999999.x", "12.not an id", "-1.x", "7a7a"] {
        let answer = call(&api, "GET", &format!("/tickets?cursor={cursor}"), Value::Null).await;
        assert_eq!(answer.status, 422, "{cursor:?}: {}", answer.body);
    }
}

/// A file through the API: declared (`POST /uploads`), put to its URL, taken once by a comment;
/// every way an upload cannot be taken is 422 naming it, and nothing is written.
#[tokio::test]
async fn an_upload_is_declared_put_and_taken_once() {
    let store = InMemoryStore::new();
    let links = Links::default();
    let api = Api {
        directory: store.clone(),
        links: links.clone(),
        token: Secret::new(TOKEN),
        region: "RU".parse().unwrap(),
    };
    directory(&api).await;
    let ticket = call(&api, "POST", "/tickets", json!({"contact_id": "c1", "subject": "Акт", "source": "email"})).await;
    let comments = format!("/tickets/{}/comments", ticket.body["id"]);
    for (body, field) in [
        (json!({"name": "", "content_type": "application/pdf", "size": 1}), "name"),
        (json!({"name": "a.pdf", "content_type": "pdf", "size": 1}), "content_type"),
        (json!({"name": "a.pdf", "content_type": "application/pdf", "size": 0}), "size"),
        (json!({"name": "a.pdf", "content_type": "application/pdf", "size": 50 * 1024 * 1024 + 1}), "size"),
        (json!({"name": "a.pdf", "content_type": "application/pdf", "size": 1, "ttl": 5}), "ttl"),
    ] {
        let refused = call(&api, "POST", "/uploads", body).await;
        assert_eq!(refused.status, 422, "{}", refused.body);
        assert!(refused.body["error"]["message"].as_str().unwrap().starts_with(field), "{}", refused.body);
    }
    let declared = call(
        &api,
        "POST",
        "/uploads",
        json!({"name": "Акт №17.pdf", "content_type": "application/pdf", "size": 48213}),
    )
    .await;
    assert_eq!(declared.status, 201, "{}", declared.body);
    let id = declared.body["upload_id"].as_str().unwrap().to_owned();
    assert!(declared.body["url"].as_str().unwrap().contains(&format!("uploads/{id}")), "{}", declared.body);
    let with = |ids: Vec<&str>| json!({"author_id": "e1", "text": "Акт выполненных работ", "attachments": ids});
    let refusal =
        |answer: &ApiResponse| (answer.status, answer.body["error"]["message"].as_str().unwrap_or("").to_owned());

    let (status, why) = refusal(&call(&api, "POST", &comments, with(vec![&id])).await);
    assert_eq!(status, 422);
    assert!(why.starts_with("attachments[0]: ") && why.contains("not uploaded yet"), "{why}");
    links.put(&format!("uploads/{id}"), 100);
    let (_, why) = refusal(&call(&api, "POST", &comments, with(vec![&id])).await);
    assert!(why.contains("is 100 bytes, not the 48213 declared"), "{why}");
    let (_, why) = refusal(&call(&api, "POST", &comments, with(vec!["0123456789abcdef0123456789abcdef"])).await);
    assert!(why.contains("is unknown"), "{why}");
    let (_, why) = refusal(&call(&api, "POST", &comments, with(vec![&id, &id])).await);
    assert!(why.starts_with("attachments[1]: ") && why.contains("named twice"), "{why}");
    let (_, why) = refusal(&call(&api, "POST", &comments, with(vec!["x"; 11])).await);
    assert!(why.contains("at most 10"), "{why}");
    let ticket_id = ticket.body["id"].as_u64().unwrap();
    assert!(store.ticket_details(ticket_id).await.unwrap().unwrap().comments.is_empty(), "nothing written");

    links.put(&format!("uploads/{id}"), 48213);
    let taken = call(&api, "POST", &comments, with(vec![&id])).await;
    assert_eq!(taken.status, 201, "{}", taken.body);
    assert_eq!(taken.body["attachments"][0]["name"], "Акт №17.pdf");
    assert_eq!(taken.body["attachments"][0]["size"], 48213);
    let (status, why) = refusal(&call(&api, "POST", &comments, with(vec![&id])).await);
    assert_eq!(status, 422);
    assert!(why.contains("used already"), "{why}");
    let details = store.ticket_details(ticket_id).await.unwrap().unwrap();
    assert_eq!(details.comments.len(), 1);
    assert_eq!(details.attachments.len(), 1);
    assert_eq!(details.attachments[0].comment_id.as_deref(), Some(details.comments[0].id.as_str()));
    assert!(details.attachments[0].key.starts_with(&format!("api/{id}/")), "{:?}", details.attachments[0]);
}
