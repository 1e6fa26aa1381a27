//! IAM, as far as a local stack can see it.
//!
//! DynamoDB Local and moto accept every request whatever the caller may do, so a function whose
//! policy lacks an action would pass every test here and fail in AWS. The local stack therefore
//! puts a proxy in front of each service: every function's clients sign with credentials whose
//! access key is the function's logical id ([`crate::Function::logical_id`]), and the proxy
//! classifies each request as the IAM actions AWS authorises it by ([`DynamoRequest`],
//! [`S3Request`]), on the template's resource it names. A request the function's policy in
//! template.yaml ([`Policies`]) does not allow is refused the way AWS refuses it
//! (`AccessDeniedException`, `AccessDenied`), so the test that made it fails where AWS would.
//! Every action used is recorded (`.local/permissions/`), and `make permissions`
//! (`src/bin/permissions.rs`) holds the whole run's record against the policies: a grant no
//! test used fails it unless [`UNUSED_GRANTS`] names it with why.
//!
//! The harness's own requests (setting up tables, reading back what a function wrote) sign as
//! `local` and pass unchecked, like an administrator's.

use crate::localstack::{workspace_root, Template};
use serde_json::Value;
use serde_yaml::Value as Yaml;
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::sync::{Mutex, OnceLock};

/// A resource of template.yaml as a policy names it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Resource {
    /// `!GetAtt <Table>.Arn`: the table itself.
    Table(String),
    /// `!Sub "${<Table>.Arn}/index/*"`: every index of the table.
    Indexes(String),
    /// `!Sub "${<Bucket>.Arn}/*"`: the bucket's objects.
    Objects(String),
    /// `!GetAtt <Bucket>.Arn`: the bucket itself (listing, creating).
    Bucket(String),
}

impl std::fmt::Display for Resource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Resource::Table(t) => write!(f, "{t}"),
            Resource::Indexes(t) => write!(f, "{t}/index/*"),
            Resource::Objects(b) => write!(f, "{b}/*"),
            Resource::Bucket(b) => write!(f, "{b}"),
        }
    }
}

/// One action on one resource: what a request needs, and what a policy grants.
pub type Permission = (String, Resource);

/// Grants a run may leave unused, each with why no test can use it.
pub const UNUSED_GRANTS: &[(&str, &str, &str, &str)] = &[
    // (function, action, resource, why)
];

/// What each function's policy in template.yaml allows, by logical id.
#[derive(Debug, Default, Clone)]
pub struct Policies {
    pub by_function: BTreeMap<String, BTreeSet<Permission>>,
}

impl Policies {
    /// Reads the `Policies` statements of every `AWS::Serverless::Function`. A statement form
    /// this reader does not know fails loudly rather than granting or denying by accident.
    pub fn load() -> Result<Policies, String> {
        let template = Template::load().map_err(|e| e.to_string())?;
        let mut policies = Policies::default();
        let buckets: Vec<&str> = template.resources_of_type("AWS::S3::Bucket").map(|(id, _)| id).collect();
        for (function, properties) in template.resources_of_type("AWS::Serverless::Function") {
            let granted = policies.by_function.entry(function.to_owned()).or_default();
            for policy in properties["Policies"].as_sequence().into_iter().flatten() {
                if policy.is_string() {
                    return Err(format!("{function}: a managed policy or policy template is not understood"));
                }
                let statements = policy["Statement"]
                    .as_sequence()
                    .ok_or_else(|| format!("{function}: a policy without a Statement list"))?;
                for statement in statements {
                    if statement["Effect"].as_str() != Some("Allow") {
                        return Err(format!("{function}: only Allow statements are understood"));
                    }
                    for unknown in ["Condition", "NotAction", "NotResource"] {
                        if !statement[unknown].is_null() {
                            return Err(format!("{function}: a statement with {unknown} is not understood"));
                        }
                    }
                    let actions = strings(&statement["Action"]);
                    let resources = list(&statement["Resource"])
                        .iter()
                        .map(|r| {
                            resource(r, &buckets).ok_or_else(|| format!("{function}: unknown resource form {r:?}"))
                        })
                        .collect::<Result<Vec<_>, _>>()?;
                    for action in &actions {
                        for resource in &resources {
                            granted.insert((action.clone(), resource.clone()));
                        }
                    }
                }
            }
        }
        Ok(policies)
    }

    pub fn allows(&self, function: &str, permission: &Permission) -> bool {
        self.by_function.get(function).is_some_and(|granted| granted.contains(permission))
    }
}

fn list(value: &Yaml) -> Vec<Yaml> {
    match value {
        Yaml::Sequence(items) => items.clone(),
        Yaml::Null => vec![],
        other => vec![other.clone()],
    }
}

fn strings(value: &Yaml) -> Vec<String> {
    list(value).iter().filter_map(|v| v.as_str().map(str::to_owned)).collect()
}

/// `!GetAtt X.Arn`, `!Sub "${X.Arn}/index/*"`, `!Sub "${X.Arn}/*"`, by what X is (one of the
/// template's `buckets`, else a table).
fn resource(value: &Yaml, buckets: &[&str]) -> Option<Resource> {
    let is_bucket = |id: &str| buckets.contains(&id);
    let Yaml::Tagged(tagged) = value else { return None };
    let tag = tagged.tag.to_string();
    let text = tagged.value.as_str()?;
    match tag.trim_start_matches('!') {
        "GetAtt" => {
            let id = text.strip_suffix(".Arn")?;
            Some(if is_bucket(id) { Resource::Bucket(id.to_owned()) } else { Resource::Table(id.to_owned()) })
        }
        "Sub" => {
            let rest = text.strip_prefix("${")?;
            let (id, tail) = rest.split_once(".Arn}")?;
            match tail {
                "/index/*" => Some(Resource::Indexes(id.to_owned())),
                "/*" if is_bucket(id) => Some(Resource::Objects(id.to_owned())),
                _ => None,
            }
        }
        _ => None,
    }
}

/// The template's tables and buckets by logical id, to name the resource a request's table or
/// bucket name is (the harness names them `<prefix><LogicalId>`, buckets in lower case).
#[derive(Debug, Clone)]
pub struct Names {
    tables: Vec<String>,
    buckets: Vec<String>,
}

impl Names {
    pub fn load() -> Result<Names, String> {
        let template = Template::load().map_err(|e| e.to_string())?;
        let ids = |kind| template.resources_of_type(kind).map(|(id, _)| id.to_owned()).collect::<Vec<_>>();
        Ok(Names { tables: ids("AWS::DynamoDB::Table"), buckets: ids("AWS::S3::Bucket") })
    }

    fn table(&self, name: &str) -> String {
        self.tables.iter().find(|id| name.ends_with(id.as_str())).cloned().unwrap_or_else(|| name.to_owned())
    }

    fn bucket(&self, name: &str) -> String {
        let lower = name.to_ascii_lowercase();
        self.buckets
            .iter()
            .find(|id| lower.ends_with(&id.to_ascii_lowercase()))
            .cloned()
            .unwrap_or_else(|| name.to_owned())
    }
}

/// A DynamoDB request: its `X-Amz-Target` operation and JSON body.
pub struct DynamoRequest<'a> {
    pub operation: &'a str,
    pub body: &'a Value,
}

impl DynamoRequest<'_> {
    /// The permissions AWS checks for it: the operation on its table or index, or, for a
    /// transaction, the item-level action of each item (AWS authorises `TransactWriteItems` by
    /// `PutItem`, `UpdateItem`, `DeleteItem` and `ConditionCheckItem`, `TransactGetItems` by
    /// `GetItem`); a batch the operation on each of its tables.
    pub fn permissions(&self, names: &Names) -> Vec<Permission> {
        let on = |action: &str, item: &Value| {
            let table = names.table(item["TableName"].as_str().unwrap_or_default());
            let resource = match item["IndexName"].as_str() {
                Some(_) => Resource::Indexes(table),
                None => Resource::Table(table),
            };
            (format!("dynamodb:{action}"), resource)
        };
        match self.operation {
            "TransactWriteItems" | "TransactGetItems" => {
                let items = self.body["TransactItems"].as_array().cloned().unwrap_or_default();
                items
                    .iter()
                    .flat_map(|item| {
                        [
                            ("Put", "PutItem"),
                            ("Update", "UpdateItem"),
                            ("Delete", "DeleteItem"),
                            ("ConditionCheck", "ConditionCheckItem"),
                            ("Get", "GetItem"),
                        ]
                        .into_iter()
                        .filter(|(kind, _)| item.get(*kind).is_some())
                        .map(|(kind, action)| on(action, &item[kind]))
                    })
                    .collect()
            }
            "BatchGetItem" | "BatchWriteItem" => {
                let tables = self.body["RequestItems"].as_object().map(|m| m.keys().cloned().collect::<Vec<_>>());
                tables
                    .unwrap_or_default()
                    .iter()
                    .map(|name| on(self.operation, &serde_json::json!({ "TableName": name })))
                    .collect()
            }
            operation => vec![on(operation, self.body)],
        }
    }
}

/// An S3 request in path style (`/<bucket>/<key>`): the action AWS checks for it.
pub struct S3Request<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub query: &'a str,
}

impl S3Request<'_> {
    pub fn permissions(&self, names: &Names) -> Vec<Permission> {
        let path = self.path.trim_start_matches('/');
        let (bucket, key) = path.split_once('/').unwrap_or((path, ""));
        if bucket.is_empty() {
            return vec![("s3:ListAllMyBuckets".into(), Resource::Bucket("*".into()))];
        }
        let bucket = names.bucket(bucket);
        let on_query = |name: &str| self.query.split('&').any(|pair| pair.split('=').next() == Some(name));
        let (action, resource) = if key.is_empty() {
            let action = match self.method {
                "PUT" => "CreateBucket",
                "DELETE" => "DeleteBucket",
                "POST" if on_query("delete") => "DeleteObject",
                _ => "ListBucket",
            };
            let resource = if action == "DeleteObject" { Resource::Objects(bucket) } else { Resource::Bucket(bucket) };
            (action, resource)
        } else {
            // HEAD is authorised as GetObject; the parts of a multipart upload as PutObject.
            let action = match self.method {
                "GET" | "HEAD" => "GetObject",
                "PUT" | "POST" => "PutObject",
                "DELETE" if on_query("uploadId") => "AbortMultipartUpload",
                "DELETE" => "DeleteObject",
                other => other,
            };
            (action, Resource::Objects(bucket))
        };
        vec![(format!("s3:{action}"), resource)]
    }
}

/// The access key a request was signed with: the `Authorization` header's credential, or a
/// presigned URL's `X-Amz-Credential` (a presigned request acts with its signer's permissions).
pub fn signer(authorization: Option<&str>, query: &str) -> Option<String> {
    if let Some(credential) = authorization.and_then(|a| a.split("Credential=").nth(1)) {
        return credential.split('/').next().map(str::to_owned);
    }
    let credential = query.split('&').find_map(|pair| pair.strip_prefix("X-Amz-Credential="))?;
    let decoded = percent_encoding::percent_decode_str(credential).decode_utf8().ok()?;
    decoded.split('/').next().map(str::to_owned)
}

/// The access key of the harness's own requests: unchecked and unrecorded.
pub const HARNESS_KEY: &str = "local";

/// One use of a permission by a function, as recorded: whether its policy allowed it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Use {
    pub function: String,
    pub action: String,
    pub resource: String,
    pub allowed: bool,
}

impl Use {
    fn line(&self) -> String {
        let verdict = if self.allowed { "allowed" } else { "denied" };
        format!("{}\t{}\t{}\t{}", self.function, self.action, self.resource, verdict)
    }

    pub fn parse(line: &str) -> Option<Use> {
        let mut fields = line.split('\t');
        let (function, action, resource, verdict) = (fields.next()?, fields.next()?, fields.next()?, fields.next()?);
        Some(Use {
            function: function.to_owned(),
            action: action.to_owned(),
            resource: resource.to_owned(),
            allowed: verdict == "allowed",
        })
    }
}

/// Where the uses of every process are recorded, one file a process: `IAM_RECORD_DIR`, which
/// `make test` sets (so `make run`, a single suite or a benchmark adds nothing to the record it
/// checks), else `.local/permissions` for `make permissions` to read.
pub fn record_dir() -> std::path::PathBuf {
    std::env::var_os("IAM_RECORD_DIR").map_or_else(|| workspace_root().join(".local/permissions"), Into::into)
}

/// Every use recorded so far (by every process since the folder was cleared).
pub fn recorded() -> std::io::Result<BTreeSet<Use>> {
    let mut uses = BTreeSet::new();
    let entries = match std::fs::read_dir(record_dir()) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(uses),
        Err(e) => return Err(e),
    };
    for entry in entries {
        let text = std::fs::read_to_string(entry?.path())?;
        uses.extend(text.lines().filter_map(Use::parse));
    }
    Ok(uses)
}

/// The judge of one process's requests: the policies, the names, and what it recorded.
pub struct Judge {
    policies: Policies,
    names: Names,
    seen: Mutex<BTreeSet<Use>>,
}

impl Judge {
    pub fn global() -> &'static Judge {
        static JUDGE: OnceLock<Judge> = OnceLock::new();
        JUDGE.get_or_init(|| Judge {
            policies: Policies::load().expect("template.yaml's policies"),
            names: Names::load().expect("template.yaml's resources"),
            seen: Mutex::new(BTreeSet::new()),
        })
    }

    pub fn names(&self) -> &Names {
        &self.names
    }

    /// Whether `signer` may do all of `permissions`; records each use. `None` when allowed,
    /// else the first permission refused.
    pub fn check(&self, signer: &str, permissions: &[Permission]) -> Option<Permission> {
        if signer == HARNESS_KEY {
            return None;
        }
        let mut refused = None;
        for permission in permissions {
            let allowed = self.policies.allows(signer, permission);
            if !allowed && refused.is_none() {
                refused = Some(permission.clone());
            }
            self.record(Use {
                function: signer.to_owned(),
                action: permission.0.clone(),
                resource: permission.1.to_string(),
                allowed,
            });
        }
        refused
    }

    fn record(&self, used: Use) {
        if std::env::var_os("IAM_RECORD_DIR").is_none() {
            return;
        }
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        if !seen.insert(used.clone()) {
            return;
        }
        // Appended as it happens: a test binary has no hook at its exit.
        let dir = record_dir();
        let written = std::fs::create_dir_all(&dir).and_then(|()| {
            let mut file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(dir.join(format!("{}.tsv", std::process::id())))?;
            writeln!(file, "{}", used.line())
        });
        if let Err(error) = written {
            eprintln!("permissions: could not record {}: {error}", used.line());
        }
    }
}

/// The error AWS answers a refused DynamoDB request with (HTTP 400, JSON protocol).
pub fn dynamo_denied(function: &str, (action, resource): &Permission) -> (u16, &'static str, String) {
    let body = serde_json::json!({
        "__type": "com.amazon.coral.service#AccessDeniedException",
        "message": format!(
            "User: arn:aws:sts::123456789012:assumed-role/{function}Role/{function} is not authorized to perform: \
             {action} on resource: {resource} because no identity-based policy allows the {action} action"
        ),
    });
    (400, "application/x-amz-json-1.0", body.to_string())
}

/// The error AWS answers a refused S3 request with (HTTP 403, XML).
pub fn s3_denied(function: &str, (action, resource): &Permission) -> (u16, &'static str, String) {
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>AccessDenied</Code><Message>User: \
         arn:aws:sts::123456789012:assumed-role/{function}Role/{function} is not authorized to perform: {action} \
         on resource: {resource} because no identity-based policy allows the {action} action</Message></Error>"
    );
    (403, "application/xml", body)
}

/// Which service a proxy stands in front of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    DynamoDb,
    S3,
}

/// DynamoDB requests by signer and by the prefix of the tables they name (one test's world has
/// tables of its own prefix): a function running as a process of its own is counted here.
static DYNAMO_REQUESTS: Mutex<BTreeMap<(String, String), u64>> = Mutex::new(BTreeMap::new());

fn count_dynamo_request(signer: &str, request: &DynamoRequest<'_>, names: &Names) {
    let body = request.body;
    let transacted = body["TransactItems"].get(0).and_then(Value::as_object).and_then(|item| item.values().next());
    let batched = body["RequestItems"].as_object().and_then(|tables| tables.keys().next());
    let table = body["TableName"]
        .as_str()
        .or_else(|| transacted.and_then(|item| item["TableName"].as_str()))
        .or(batched.map(String::as_str))
        .unwrap_or_default();
    let prefix = names.tables.iter().find_map(|id| table.strip_suffix(id.as_str())).unwrap_or(table);
    let mut counts = DYNAMO_REQUESTS.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    *counts.entry((signer.to_owned(), prefix.to_owned())).or_default() += 1;
}

/// How many DynamoDB requests `signer` has made on the tables named `<prefix><LogicalId>`.
pub fn dynamo_requests(signer: &str, prefix: &str) -> u64 {
    let counts = DYNAMO_REQUESTS.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    counts.get(&(signer.to_owned(), prefix.to_owned())).copied().unwrap_or_default()
}

/// Starts a proxy in front of `upstream` on a free loopback port, on a thread and runtime of
/// its own (tests come and go with runtimes of their own; the proxy lives as long as the
/// process). Returns its base URL.
pub fn start_proxy(service: Service, upstream: String) -> std::io::Result<String> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    listener.set_nonblocking(true)?;
    let url = format!("http://{}", listener.local_addr()?);
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    std::thread::Builder::new().name(format!("{service:?} proxy")).spawn(move || {
        runtime.block_on(async move {
            // A redirect is handed back to the SDK as the service answered it.
            let client = reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .no_proxy()
                .build()
                .expect("an HTTP client for the proxy");
            let state = std::sync::Arc::new(ProxyState { service, upstream, client });
            let app = axum::Router::new().fallback(forward).with_state(state);
            let listener = tokio::net::TcpListener::from_std(listener).expect("a tokio listener");
            if let Err(error) = axum::serve(listener, app).await {
                eprintln!("the {service:?} proxy stopped: {error}");
            }
        })
    })?;
    Ok(url)
}

struct ProxyState {
    service: Service,
    upstream: String,
    client: reqwest::Client,
}

/// Judges a request, then hands it on unchanged (headers but the hop-by-hop ones, the body as
/// it came: the services here do not verify signatures) and hands back the answer.
async fn forward(
    axum::extract::State(state): axum::extract::State<std::sync::Arc<ProxyState>>,
    request: axum::extract::Request,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let (parts, body) = request.into_parts();
    let Ok(body) = axum::body::to_bytes(body, usize::MAX).await else {
        return (axum::http::StatusCode::BAD_REQUEST, "unreadable body").into_response();
    };
    let query = parts.uri.query().unwrap_or_default();
    let authorization = parts.headers.get("authorization").and_then(|v| v.to_str().ok());
    let signed_by = signer(authorization, query);
    if let Some(function) = signed_by.clone() {
        let judge = Judge::global();
        let refused = match state.service {
            Service::DynamoDb => {
                let target = parts.headers.get("x-amz-target").and_then(|v| v.to_str().ok()).unwrap_or_default();
                let operation = target.rsplit('.').next().unwrap_or_default();
                let json: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
                let request = DynamoRequest { operation, body: &json };
                count_dynamo_request(&function, &request, judge.names());
                judge.check(&function, &request.permissions(judge.names())).map(|p| dynamo_denied(&function, &p))
            }
            Service::S3 => {
                let request = S3Request { method: parts.method.as_str(), path: parts.uri.path(), query };
                judge.check(&function, &request.permissions(judge.names())).map(|p| s3_denied(&function, &p))
            }
        };
        if let Some((status, content_type, body)) = refused {
            let status = axum::http::StatusCode::from_u16(status).unwrap_or(axum::http::StatusCode::FORBIDDEN);
            return (status, [("content-type", content_type)], body).into_response();
        }
    }
    let path_and_query = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    let url = format!("{}{path_and_query}", state.upstream);
    let Ok(method) = reqwest::Method::from_bytes(parts.method.as_str().as_bytes()) else {
        return (axum::http::StatusCode::METHOD_NOT_ALLOWED, "unknown method").into_response();
    };
    let mut upstream = state.client.request(method, url).body(body);
    for (name, value) in &parts.headers {
        if !HOP_BY_HOP.contains(&name.as_str()) {
            upstream = upstream.header(name.as_str(), value.as_bytes());
        }
    }
    let answer = match upstream.send().await {
        Ok(answer) => answer,
        Err(error) => return (axum::http::StatusCode::BAD_GATEWAY, error.to_string()).into_response(),
    };
    let status =
        axum::http::StatusCode::from_u16(answer.status().as_u16()).unwrap_or(axum::http::StatusCode::BAD_GATEWAY);
    // S3 tells a caller an object is missing (404) only if it may list the bucket; to anyone
    // else it answers 403, as if it were there and forbidden.
    let reads = parts.method == axum::http::Method::GET || parts.method == axum::http::Method::HEAD;
    if let (Service::S3, Some(function), true, 404) = (&state.service, &signed_by, reads, status.as_u16()) {
        let path = parts.uri.path().trim_start_matches('/');
        if let Some((bucket, key)) = path.split_once('/').filter(|(_, key)| !key.is_empty()) {
            let _ = key;
            let judge = Judge::global();
            let listing = ("s3:ListBucket".to_owned(), Resource::Bucket(judge.names().bucket(bucket)));
            if let Some(refused) = judge.check(function, &[listing]) {
                let (status, content_type, body) = s3_denied(function, &refused);
                let status = axum::http::StatusCode::from_u16(status).unwrap_or(axum::http::StatusCode::FORBIDDEN);
                return (status, [("content-type", content_type)], body).into_response();
            }
        }
    }
    let mut headers = axum::http::HeaderMap::new();
    for (name, value) in answer.headers() {
        if HOP_BY_HOP.contains(&name.as_str()) {
            continue;
        }
        if let (Ok(name), Ok(value)) = (
            axum::http::HeaderName::from_bytes(name.as_str().as_bytes()),
            axum::http::HeaderValue::from_bytes(value.as_bytes()),
        ) {
            headers.append(name, value);
        }
    }
    // A HEAD answer's length is the object's, not its (empty) body's.
    if parts.method == axum::http::Method::HEAD {
        if let Some(length) = answer.headers().get("content-length") {
            if let Ok(value) = axum::http::HeaderValue::from_bytes(length.as_bytes()) {
                headers.insert(axum::http::header::CONTENT_LENGTH, value);
            }
        }
    }
    let body = answer.bytes().await.unwrap_or_default();
    (status, headers, body).into_response()
}

/// Headers of one connection, not of the request (RFC 9110, 7.6.1), and the ones the client
/// sets again from the body and URL.
const HOP_BY_HOP: &[&str] = &[
    "host",
    "connection",
    "keep-alive",
    "transfer-encoding",
    "te",
    "trailer",
    "upgrade",
    "content-length",
    "proxy-connection",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> Names {
        Names { tables: vec!["TicketsTable".into(), "BotTable".into()], buckets: vec!["AttachmentsBucket".into()] }
    }

    #[test]
    fn a_transaction_needs_the_item_level_action_of_each_item() {
        let body = serde_json::json!({"TransactItems": [
            {"Put": {"TableName": "t1-BotTable", "Item": {}}},
            {"Delete": {"TableName": "t1-TicketsTable", "Key": {}}},
            {"ConditionCheck": {"TableName": "t1-TicketsTable", "Key": {}}},
            {"Update": {"TableName": "t1-BotTable", "Key": {}}},
        ]});
        let permissions = DynamoRequest { operation: "TransactWriteItems", body: &body }.permissions(&names());
        assert_eq!(
            permissions,
            [
                ("dynamodb:PutItem".into(), Resource::Table("BotTable".into())),
                ("dynamodb:DeleteItem".into(), Resource::Table("TicketsTable".into())),
                ("dynamodb:ConditionCheckItem".into(), Resource::Table("TicketsTable".into())),
                ("dynamodb:UpdateItem".into(), Resource::Table("BotTable".into())),
            ]
        );
    }

    #[test]
    fn a_query_of_an_index_needs_the_index_and_a_batch_each_table() {
        let query = serde_json::json!({"TableName": "x-TicketsTable", "IndexName": "ByContact"});
        let batch = serde_json::json!({"RequestItems": {"x-BotTable": {"Keys": []}}});
        assert_eq!(
            DynamoRequest { operation: "Query", body: &query }.permissions(&names()),
            [("dynamodb:Query".into(), Resource::Indexes("TicketsTable".into()))]
        );
        assert_eq!(
            DynamoRequest { operation: "BatchGetItem", body: &batch }.permissions(&names()),
            [("dynamodb:BatchGetItem".into(), Resource::Table("BotTable".into()))]
        );
    }

    #[test]
    fn s3_requests_are_named_by_method_and_path() {
        let of = |method, path, query| S3Request { method, path, query }.permissions(&names());
        let objects = Resource::Objects("AttachmentsBucket".into());
        assert_eq!(of("PUT", "/t1-attachmentsbucket/tickets/1/a.jpg", ""), [("s3:PutObject".into(), objects.clone())]);
        assert_eq!(of("HEAD", "/t1-attachmentsbucket/k", ""), [("s3:GetObject".into(), objects.clone())]);
        assert_eq!(
            of("GET", "/t1-attachmentsbucket", "list-type=2"),
            [("s3:ListBucket".into(), Resource::Bucket("AttachmentsBucket".into()))]
        );
    }

    #[test]
    fn the_signer_is_read_from_the_header_or_a_presigned_url() {
        let header = "AWS4-HMAC-SHA256 Credential=ApiFunction/20261205/us-east-1/s3/aws4_request, SignedHeaders=host";
        assert_eq!(signer(Some(header), "").as_deref(), Some("ApiFunction"));
        let query =
            "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=ApiFunction%2F20261205%2Fus-east-1%2Fs3%2Faws4_request";
        assert_eq!(signer(None, query).as_deref(), Some("ApiFunction"));
        assert_eq!(signer(None, "x=1"), None);
    }

    #[test]
    fn the_template_policies_are_read_per_function_and_resource() {
        let policies = Policies::load().expect("template.yaml");
        let webhook = &policies.by_function["WebhookFunction"];
        assert!(webhook.contains(&("s3:PutObject".into(), Resource::Objects("AttachmentsBucket".into()))));
        assert!(policies.by_function["RegistrarFunction"].is_empty(), "the registrar calls no AWS service");
    }
}
