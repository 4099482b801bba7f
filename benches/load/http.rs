//! A minimal HTTP/1.1 client over one keep-alive `TcpStream` (Content-Length and chunked
//! replies): enough to drive ipsd on loopback without pulling an HTTP stack into the bench.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};

/// A reply: status code and body.
pub struct Reply {
    pub status: u16,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// One connection, reopened when the server closes it.
pub struct Client {
    addr: SocketAddr,
    conn: Option<BufReader<TcpStream>>,
}

type Res<T> = std::io::Result<T>;

fn bad(msg: impl Into<String>) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, msg.into())
}

impl Client {
    pub fn new(addr: SocketAddr) -> Client {
        Client { addr, conn: None }
    }

    /// POSTs `body` to `path` with the extra `headers`; retries once on a stale connection.
    pub fn post(&mut self, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Res<Reply> {
        match self.try_post(path, headers, body) {
            Ok(r) => Ok(r),
            Err(_) => {
                self.conn = None;
                self.try_post(path, headers, body)
            }
        }
    }

    /// GETs `path`.
    pub fn get(&mut self, path: &str) -> Res<Reply> {
        self.conn = None;
        let head = format!("GET {path} HTTP/1.1\r\nHost: {}\r\n\r\n", self.addr);
        self.send(head.as_bytes(), &[])
    }

    fn try_post(&mut self, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Res<Reply> {
        let mut head = format!(
            "POST {path} HTTP/1.1\r\nHost: {}\r\nContent-Length: {}\r\n",
            self.addr,
            body.len()
        );
        for (k, v) in headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str("\r\n");
        self.send(head.as_bytes(), body)
    }

    fn send(&mut self, head: &[u8], body: &[u8]) -> Res<Reply> {
        if self.conn.is_none() {
            let s = TcpStream::connect(self.addr)?;
            s.set_nodelay(true)?;
            self.conn = Some(BufReader::new(s));
        }
        let conn = self.conn.as_mut().expect("connected");
        let s = conn.get_mut();
        s.write_all(head)?;
        s.write_all(body)?;
        read_reply(conn)
    }
}

fn read_line(r: &mut BufReader<TcpStream>) -> Res<String> {
    let mut line = String::new();
    if r.read_line(&mut line)? == 0 {
        return Err(bad("connection closed"));
    }
    Ok(line.trim_end().to_string())
}

fn read_reply(r: &mut BufReader<TcpStream>) -> Res<Reply> {
    let status_line = read_line(r)?;
    let status = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| bad(format!("bad status line '{status_line}'")))?;
    let (mut length, mut chunked) = (None, false);
    loop {
        let line = read_line(r)?;
        if line.is_empty() {
            break;
        }
        let (k, v) = line.split_once(':').unwrap_or((&line, ""));
        let (k, v) = (k.trim().to_ascii_lowercase(), v.trim());
        if k == "content-length" {
            length = v.parse::<usize>().ok();
        } else if k == "transfer-encoding" && v.eq_ignore_ascii_case("chunked") {
            chunked = true;
        }
    }
    let body = match (chunked, length) {
        (true, _) => read_chunked(r)?,
        (false, Some(n)) => {
            let mut b = vec![0; n];
            r.read_exact(&mut b)?;
            b
        }
        (false, None) => return Err(bad("reply without a length")),
    };
    Ok(Reply { status, body })
}

fn read_chunked(r: &mut BufReader<TcpStream>) -> Res<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let size = read_line(r)?;
        let n = usize::from_str_radix(size.split(';').next().unwrap_or("").trim(), 16)
            .map_err(|_| bad(format!("bad chunk size '{size}'")))?;
        let mut chunk = vec![0; n + 2];
        r.read_exact(&mut chunk)?;
        if n == 0 {
            return Ok(body);
        }
        body.extend_from_slice(&chunk[..n]);
    }
}
