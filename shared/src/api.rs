//! The staff/integration API: how the rest of the service desk reads and changes the directory.
//!
//! Transport-free: [`Api::handle`] takes the method, path, `Authorization` header and body, and
//! returns a status and a JSON body, so it runs the same behind an HttpApi, a Function URL, or
//! the local runner. Errors are `{"error": {"code", "message"}}`: 401 without the bearer token,
//! 400 for a body that is not JSON, 422 for a body that fails validation, 404 for an unknown
//! resource or path, 405 for a known path with another method.

use crate::config::Secret;
use crate::domain::{Client, Contact, Employee};
use crate::phone::{self, Region};
use crate::ports::{Directory, StoreError};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{json, Value};

pub struct Api<D> {
    pub directory: D,
    pub token: Secret,
    pub region: Region,
}

pub struct ApiRequest<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub authorization: Option<&'a str>,
    pub body: &'a [u8],
}

#[derive(Debug, Clone, PartialEq)]
pub struct ApiResponse {
    pub status: u16,
    pub body: Value,
}

impl ApiResponse {
    fn ok(body: Value) -> Self {
        ApiResponse { status: 200, body }
    }
    fn error(status: u16, code: &str, message: impl Into<String>) -> Self {
        ApiResponse { status, body: json!({"error": {"code": code, "message": message.into()}}) }
    }
}

/// Why a request was refused; becomes an error response.
#[derive(Debug)]
enum Refusal {
    BadBody(String),
    Invalid(String),
    NotFound(String),
    MethodNotAllowed,
    Store(StoreError),
}

impl From<StoreError> for Refusal {
    fn from(error: StoreError) -> Self {
        Refusal::Store(error)
    }
}

impl From<Refusal> for ApiResponse {
    fn from(refusal: Refusal) -> Self {
        match refusal {
            Refusal::BadBody(message) => ApiResponse::error(400, "bad_request", message),
            Refusal::Invalid(message) => ApiResponse::error(422, "validation_failed", message),
            Refusal::NotFound(message) => ApiResponse::error(404, "not_found", message),
            Refusal::MethodNotAllowed => {
                ApiResponse::error(405, "method_not_allowed", "this path does not take that method")
            }
            Refusal::Store(StoreError::Conflict) => {
                ApiResponse::error(409, "conflict", "the record changed concurrently; repeat the request")
            }
            Refusal::Store(error) => {
                tracing::error!(error = %error, source = ?std::error::Error::source(&error), "storage failed");
                ApiResponse::error(503, "unavailable", "storage is unavailable; repeat the request later")
            }
        }
    }
}

type Outcome = Result<ApiResponse, Refusal>;

/// Directory ids are short and plain so that they fit keys and Telegram's 64-byte callback data.
pub fn valid_id(id: &str) -> bool {
    (1..=40).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
}

#[derive(Debug, Deserialize)]
struct ClientInput {
    name: String,
    #[serde(default)]
    manager_id: Option<String>,
    #[serde(default)]
    vip: bool,
}

#[derive(Debug, Deserialize)]
struct ContactInput {
    name: String,
    phone: String,
    client_id: String,
    #[serde(default = "yes")]
    active: bool,
}

#[derive(Debug, Deserialize)]
struct EmployeeInput {
    name: String,
    #[serde(default)]
    phone: Option<String>,
}

fn yes() -> bool {
    true
}

/// The kinds of record `POST /import/{kind}` takes.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Clients,
    Contacts,
    Employees,
}

impl<D: Directory> Api<D> {
    pub async fn handle(&self, request: ApiRequest<'_>, now: DateTime<Utc>) -> ApiResponse {
        if !self.authorized(request.authorization) {
            return ApiResponse::error(401, "unauthorized", "send Authorization: Bearer <API_TOKEN>");
        }
        self.route(&request, now).await.unwrap_or_else(ApiResponse::from)
    }

    fn authorized(&self, header: Option<&str>) -> bool {
        header
            .and_then(|value| value.strip_prefix("Bearer "))
            .is_some_and(|token| self.token.matches(token.trim().as_bytes()))
    }

    async fn route(&self, request: &ApiRequest<'_>, now: DateTime<Utc>) -> Outcome {
        let segments: Vec<&str> = request.path.split('/').filter(|s| !s.is_empty()).collect();
        let method = request.method.to_ascii_uppercase();
        match (segments.as_slice(), method.as_str()) {
            (["clients", id], "GET") => self.get_client(id).await,
            (["clients", id], "PUT") => self.put_client(id, parse(request.body)?).await,
            (["clients", _], _) => Err(Refusal::MethodNotAllowed),
            (["contacts", id], "GET") => self.get_contact(id).await,
            (["contacts", id], "PUT") => self.put_contact(id, parse(request.body)?, now).await,
            (["contacts", id], "DELETE") => self.delete_contact(id, now).await,
            (["contacts", _], _) => Err(Refusal::MethodNotAllowed),
            (["employees", id], "GET") => self.get_employee(id).await,
            (["employees", id], "PUT") => self.put_employee(id, parse(request.body)?).await,
            (["employees", _], _) => Err(Refusal::MethodNotAllowed),
            (["import", kind], "POST") => {
                let kind = match *kind {
                    "clients" => Kind::Clients,
                    "contacts" => Kind::Contacts,
                    "employees" => Kind::Employees,
                    other => return Err(Refusal::NotFound(format!("nothing to import as {other:?}"))),
                };
                self.import(kind, request.body, now).await
            }
            (["import", _], _) => Err(Refusal::MethodNotAllowed),
            _ => Err(Refusal::NotFound(format!("no such path: {}", request.path))),
        }
    }

    async fn get_client(&self, id: &str) -> Outcome {
        let client = self.directory.get_client(id).await?.ok_or_else(|| not_found("client", id))?;
        Ok(ApiResponse::ok(client_json(&client)))
    }

    async fn put_client(&self, id: &str, input: ClientInput) -> Outcome {
        let client = self.validate_client(id, input).await?;
        let existed = self.directory.get_client(id).await?.is_some();
        self.directory.put_client(&client).await?;
        Ok(ApiResponse { status: if existed { 200 } else { 201 }, body: client_json(&client) })
    }

    async fn validate_client(&self, id: &str, input: ClientInput) -> Result<Client, Refusal> {
        check_id(id)?;
        let name = required_name(input.name)?;
        let manager_id = input.manager_id.filter(|m| !m.trim().is_empty());
        if let Some(manager) = &manager_id {
            if !valid_id(manager) || self.directory.get_employee(manager).await?.is_none() {
                return Err(Refusal::Invalid(format!("manager_id {manager:?} is not a known employee")));
            }
        }
        Ok(Client { id: id.to_owned(), name, manager_id, vip: input.vip })
    }

    async fn get_contact(&self, id: &str) -> Outcome {
        let contact = self.directory.get_contact(id).await?.ok_or_else(|| not_found("contact", id))?;
        Ok(ApiResponse::ok(contact_json(&contact)))
    }

    async fn put_contact(&self, id: &str, input: ContactInput, now: DateTime<Utc>) -> Outcome {
        check_id(id)?;
        let name = required_name(input.name)?;
        let phone = phone::normalize(&input.phone, self.region)
            .ok_or_else(|| Refusal::Invalid(format!("phone {:?} is not a valid phone number", input.phone)))?;
        if !valid_id(&input.client_id) || self.directory.get_client(&input.client_id).await?.is_none() {
            return Err(Refusal::Invalid(format!("client_id {:?} is not a known client", input.client_id)));
        }
        let existing = self.directory.get_contact(id).await?;
        let contact = Contact {
            id: id.to_owned(),
            name,
            phone,
            client_id: input.client_id,
            active: input.active,
            telegram_user: existing.as_ref().and_then(|c| c.telegram_user),
        };
        let stored = self.directory.put_contact(&contact, now).await?;
        Ok(ApiResponse { status: if existing.is_some() { 200 } else { 201 }, body: contact_json(&stored) })
    }

    async fn delete_contact(&self, id: &str, now: DateTime<Utc>) -> Outcome {
        let mut contact = self.directory.get_contact(id).await?.ok_or_else(|| not_found("contact", id))?;
        contact.active = false;
        let stored = self.directory.put_contact(&contact, now).await?;
        Ok(ApiResponse::ok(contact_json(&stored)))
    }

    async fn get_employee(&self, id: &str) -> Outcome {
        let employee = self.directory.get_employee(id).await?.ok_or_else(|| not_found("employee", id))?;
        Ok(ApiResponse::ok(employee_json(&employee)))
    }

    async fn put_employee(&self, id: &str, input: EmployeeInput) -> Outcome {
        check_id(id)?;
        let name = required_name(input.name)?;
        let phone = match input.phone.filter(|p| !p.trim().is_empty()) {
            None => None,
            Some(raw) => Some(
                phone::normalize(&raw, self.region)
                    .ok_or_else(|| Refusal::Invalid(format!("phone {raw:?} is not a valid phone number")))?,
            ),
        };
        let existing = self.directory.get_employee(id).await?;
        let employee =
            Employee { id: id.to_owned(), name, phone, telegram_user: existing.as_ref().and_then(|e| e.telegram_user) };
        let stored = self.directory.put_employee(&employee).await?;
        Ok(ApiResponse { status: if existing.is_some() { 200 } else { 201 }, body: employee_json(&stored) })
    }

    /// Bulk upsert from CSV whose header names the same fields as the JSON bodies, plus the
    /// record's id (`id`, or `client_id` / `contact_id` / `employee_id`). Each line is validated
    /// and stored like a PUT; a bad line is reported and the rest still imported.
    async fn import(&self, kind: Kind, body: &[u8], now: DateTime<Utc>) -> Outcome {
        let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).flexible(true).from_reader(body);
        let header = reader.headers().map_err(|e| Refusal::BadBody(format!("CSV header: {e}")))?.clone();
        let id_column = ["id", kind_id_column(kind)]
            .into_iter()
            .find_map(|name| header.iter().position(|h| h == name))
            .ok_or_else(|| {
                Refusal::Invalid(format!("the CSV header needs an \"id\" or \"{}\" column", kind_id_column(kind)))
            })?;
        let mut imported = 0usize;
        let mut rejected = vec![];
        for record in reader.records() {
            let record = match record {
                Ok(record) => record,
                Err(error) => {
                    let line = error.position().map_or(0, |p| p.line());
                    rejected.push(json!({"line": line, "reason": format!("unreadable CSV: {error}")}));
                    continue;
                }
            };
            let line = record.position().map_or(0, |p| p.line());
            let field = |name: &str| {
                header.iter().position(|h| h == name).and_then(|i| record.get(i)).map(str::to_owned).unwrap_or_default()
            };
            let id = record.get(id_column).unwrap_or_default().to_owned();
            let result = match kind {
                Kind::Clients => match parse_bool(&field("vip"), false) {
                    Ok(vip) => {
                        let manager = Some(field("manager_id")).filter(|m| !m.is_empty());
                        self.put_client(&id, ClientInput { name: field("name"), manager_id: manager, vip }).await
                    }
                    Err(reason) => Err(Refusal::Invalid(format!("vip: {reason}"))),
                },
                Kind::Contacts => match parse_bool(&field("active"), true) {
                    Ok(active) => {
                        let input = ContactInput {
                            name: field("name"),
                            phone: field("phone"),
                            client_id: field("client_id"),
                            active,
                        };
                        self.put_contact(&id, input, now).await
                    }
                    Err(reason) => Err(Refusal::Invalid(format!("active: {reason}"))),
                },
                Kind::Employees => {
                    let phone = Some(field("phone")).filter(|p| !p.is_empty());
                    self.put_employee(&id, EmployeeInput { name: field("name"), phone }).await
                }
            };
            match result {
                Ok(_) => imported += 1,
                Err(Refusal::Invalid(reason) | Refusal::NotFound(reason) | Refusal::BadBody(reason)) => {
                    rejected.push(json!({"line": line, "reason": reason}));
                }
                Err(other) => return Err(other),
            }
        }
        Ok(ApiResponse::ok(json!({"imported": imported, "rejected": rejected})))
    }
}

fn kind_id_column(kind: Kind) -> &'static str {
    match kind {
        Kind::Clients => "client_id",
        Kind::Contacts => "contact_id",
        Kind::Employees => "employee_id",
    }
}

/// Parses a JSON body; a field of the wrong type is named in the message (`vip: invalid type…`).
fn parse<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, Refusal> {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        match inner.classify() {
            serde_json::error::Category::Data if path == "." => Refusal::Invalid(inner.to_string()),
            serde_json::error::Category::Data => Refusal::Invalid(format!("{path}: {inner}")),
            _ => Refusal::BadBody(format!("the body is not valid JSON: {inner}")),
        }
    })
}

fn parse_bool(raw: &str, default: bool) -> Result<bool, String> {
    match raw.to_ascii_lowercase().as_str() {
        "" => Ok(default),
        "true" | "1" | "yes" => Ok(true),
        "false" | "0" | "no" => Ok(false),
        other => Err(format!("{other:?} is not true or false")),
    }
}

fn check_id(id: &str) -> Result<(), Refusal> {
    if valid_id(id) {
        Ok(())
    } else {
        Err(Refusal::Invalid(format!("id {id:?} must be 1-40 characters of A-Z, a-z, 0-9, '.', '_', '-'")))
    }
}

fn required_name(name: String) -> Result<String, Refusal> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(Refusal::Invalid("name must be 1-200 characters".into()));
    }
    Ok(name.to_owned())
}

fn not_found(kind: &str, id: &str) -> Refusal {
    Refusal::NotFound(format!("no {kind} with id {id:?}"))
}

pub fn client_json(client: &Client) -> Value {
    json!({"id": client.id, "name": client.name, "manager_id": client.manager_id, "vip": client.vip})
}

pub fn contact_json(contact: &Contact) -> Value {
    json!({
        "id": contact.id,
        "name": contact.name,
        "phone": contact.phone,
        "client_id": contact.client_id,
        "active": contact.active,
        "telegram_linked": contact.telegram_user.is_some(),
    })
}

pub fn employee_json(employee: &Employee) -> Value {
    json!({
        "id": employee.id,
        "name": employee.name,
        "phone": employee.phone,
        "telegram_linked": employee.telegram_user.is_some(),
    })
}
