//! A scripted HTTP/1.1 server on 127.0.0.1, for byte-level tests: it answers each request
//! with the next scripted reply, whatever the route, and records what it received.
//!
//! Where [`FakeServer`](crate::FakeServer) behaves like the API, this one says exactly what a
//! test tells it to: any status, headers and bytes, a delay, or a closed socket. One request
//! per connection (`connection: close`); when the script runs out it answers 599.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// One scripted answer.
#[derive(Debug, Clone)]
pub enum Reply {
    /// A full response.
    Respond {
        /// The status code.
        status: u16,
        /// Header lines, in order.
        headers: Vec<(String, String)>,
        /// The body bytes (sent with a matching `content-length`).
        body: Vec<u8>,
    },
    /// A response without `content-length`, whose body ends when the connection closes (as
    /// some proxies answer).
    UntilClose {
        /// The status code.
        status: u16,
        /// Header lines, in order.
        headers: Vec<(String, String)>,
        /// The body bytes.
        body: Vec<u8>,
    },
    /// A response that announces more body than it sends, then closes: a body cut off
    /// midway.
    CutOff {
        /// The status code.
        status: u16,
        /// Header lines, in order.
        headers: Vec<(String, String)>,
        /// The bytes sent (100 fewer than `content-length` says).
        body: Vec<u8>,
    },
    /// Read the request, then close without answering.
    Close,
    /// Wait, then give the reply.
    Delay(Duration, Box<Reply>),
}

impl Reply {
    /// A JSON answer.
    pub fn json(status: u16, body: &serde_json::Value) -> Reply {
        Reply::Respond {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.to_string().into_bytes(),
        }
    }

    /// An answer with any content type and text.
    pub fn raw(status: u16, content_type: &str, body: &str) -> Reply {
        Reply::Respond {
            status,
            headers: vec![("content-type".into(), content_type.into())],
            body: body.as_bytes().to_vec(),
        }
    }

    /// The same answer sent without `content-length`, its end marked by closing the
    /// connection (no effect on `Close` and `Delay`).
    pub fn until_close(self) -> Reply {
        match self {
            Reply::Respond {
                status,
                headers,
                body,
            } => Reply::UntilClose {
                status,
                headers,
                body,
            },
            other => other,
        }
    }

    /// The same answer cut off: `content-length` announces 100 bytes more than are sent
    /// before the connection closes (no effect on `Close` and `Delay`).
    pub fn cut_off(self) -> Reply {
        match self {
            Reply::Respond {
                status,
                headers,
                body,
            } => Reply::CutOff {
                status,
                headers,
                body,
            },
            other => other,
        }
    }

    /// The same answer with one more header (no effect on `Close` and `Delay`).
    pub fn with_header(self, name: &str, value: &str) -> Reply {
        match self {
            Reply::Respond {
                status,
                mut headers,
                body,
            } => {
                headers.push((name.into(), value.into()));
                Reply::Respond {
                    status,
                    headers,
                    body,
                }
            }
            Reply::UntilClose {
                status,
                mut headers,
                body,
            } => {
                headers.push((name.into(), value.into()));
                Reply::UntilClose {
                    status,
                    headers,
                    body,
                }
            }
            Reply::CutOff {
                status,
                mut headers,
                body,
            } => {
                headers.push((name.into(), value.into()));
                Reply::CutOff {
                    status,
                    headers,
                    body,
                }
            }
            other => other,
        }
    }
}

/// A request the server received.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// `GET`, `POST`, ...
    pub method: String,
    /// The request target: path and query as sent.
    pub target: String,
    /// Header lines, names lowercased.
    pub headers: Vec<(String, String)>,
    /// The body bytes.
    pub body: Vec<u8>,
}

impl Recorded {
    /// The first value of a header, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as JSON (`Null` when it is not JSON).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

/// A running scripted server; it stops when the runtime does.
pub struct ScriptedServer {
    /// `http://127.0.0.1:PORT`
    pub base_url: String,
    requests: Arc<Mutex<Vec<Recorded>>>,
}

impl ScriptedServer {
    /// Binds any free port on 127.0.0.1 and serves `script`, one reply per request.
    pub async fn start(script: Vec<Reply>) -> std::io::Result<ScriptedServer> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let base_url = format!("http://{}", listener.local_addr()?);
        let requests = Arc::new(Mutex::new(Vec::new()));
        let script = Arc::new(Mutex::new(VecDeque::from(script)));
        let recorded = requests.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let recorded = recorded.clone();
                let script = script.clone();
                tokio::spawn(async move {
                    let _ = serve(stream, recorded, script).await;
                });
            }
        });
        Ok(ScriptedServer { base_url, requests })
    }

    /// The requests received so far.
    pub fn requests(&self) -> Vec<Recorded> {
        crate::shared::lock(&self.requests).clone()
    }

    /// How many requests were received.
    pub fn count(&self) -> usize {
        crate::shared::lock(&self.requests).len()
    }
}

async fn serve(
    mut stream: TcpStream,
    recorded: Arc<Mutex<Vec<Recorded>>>,
    script: Arc<Mutex<VecDeque<Reply>>>,
) -> std::io::Result<()> {
    let request = read_request(&mut stream).await?;
    crate::shared::lock(&recorded).push(request);
    let reply = crate::shared::lock(&script)
        .pop_front()
        .unwrap_or(Reply::raw(599, "text/plain", "script exhausted"));
    write_reply(&mut stream, reply).await
}

async fn write_reply(stream: &mut TcpStream, mut reply: Reply) -> std::io::Result<()> {
    loop {
        match reply {
            Reply::Delay(wait, next) => {
                tokio::time::sleep(wait).await;
                reply = *next;
            }
            Reply::Close => return stream.shutdown().await,
            Reply::Respond {
                status,
                headers,
                body,
            } => {
                let length = format!("content-length: {}\r\n", body.len());
                return write_response(stream, status, &headers, Some(&length), &body).await;
            }
            Reply::UntilClose {
                status,
                headers,
                body,
            } => return write_response(stream, status, &headers, None, &body).await,
            Reply::CutOff {
                status,
                headers,
                body,
            } => {
                let length = format!("content-length: {}\r\n", body.len() + 100);
                return write_response(stream, status, &headers, Some(&length), &body).await;
            }
        }
    }
}

async fn write_response(
    stream: &mut TcpStream,
    status: u16,
    headers: &[(String, String)],
    length_line: Option<&str>,
    body: &[u8],
) -> std::io::Result<()> {
    let mut head = format!("HTTP/1.1 {status} Scripted\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(length_line.unwrap_or(""));
    head.push_str("connection: close\r\n\r\n");
    stream.write_all(head.as_bytes()).await?;
    stream.write_all(body).await?;
    stream.shutdown().await
}

async fn read_request(stream: &mut TcpStream) -> std::io::Result<Recorded> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(at) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break at;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut first = lines.next().unwrap_or("").split(' ');
    let method = first.next().unwrap_or("").to_string();
    let target = first.next().unwrap_or("").to_string();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let length = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = buf[head_end + 4..].to_vec();
    while body.len() < length {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Ok(Recorded {
        method,
        target,
        headers,
        body,
    })
}
