//! Standard input and output as `lsp-server` messages. Unlike `lsp_server::Connection::stdio`,
//! the reader survives garbage: a frame whose body is not a JSON-RPC message is logged and skipped,
//! and bad header lines are skipped until the next `Content-Length`.

use crossbeam_channel::{unbounded, Receiver, Sender};
use lsp_server::Message;
use std::io::{self, BufRead, Read, Write};
use std::thread::{self, JoinHandle};

/// The largest body the reader accepts; a bigger frame is skipped (read and dropped).
const MAX_BODY: usize = 64 * 1024 * 1024;

pub struct Threads {
    reader: JoinHandle<()>,
    writer: JoinHandle<()>,
}

impl Threads {
    /// Wait for the writer to flush everything sent (the reader may stay blocked on standard
    /// input: it is not waited for).
    pub fn join(self) -> thread::Result<()> {
        drop(self.reader);
        self.writer.join()
    }
}

pub fn stdio() -> (Sender<Message>, Receiver<Message>, Threads) {
    let (out_tx, out_rx) = unbounded::<Message>();
    let writer = thread::spawn(move || {
        let stdout = io::stdout();
        let mut stdout = stdout.lock();
        for msg in out_rx {
            if msg.write(&mut stdout).is_err() {
                break;
            }
            let _ = stdout.flush();
        }
    });
    let (in_tx, in_rx) = unbounded::<Message>();
    let reader = thread::spawn(move || {
        let stdin = io::stdin();
        let mut stdin = stdin.lock();
        loop {
            match read_frame(&mut stdin) {
                Ok(None) => break,
                Ok(Some(body)) => match serde_json::from_slice::<Message>(&body) {
                    Ok(msg) => {
                        let exit = matches!(&msg, Message::Notification(n) if n.method == "exit");
                        if in_tx.send(msg).is_err() || exit {
                            break;
                        }
                    }
                    Err(e) => {
                        eprintln!("azplint server: skipped a message that is not JSON-RPC: {e}")
                    }
                },
                Err(e) => {
                    eprintln!("azplint server: can't read standard input: {e}");
                    break;
                }
            }
        }
    });
    (out_tx, in_rx, Threads { reader, writer })
}

/// Read one frame's body: headers up to an empty line, then `Content-Length` bytes. `None` at the
/// end of input. Lines that are not headers are skipped.
pub fn read_frame(r: &mut impl BufRead) -> io::Result<Option<Vec<u8>>> {
    let mut length: Option<usize> = None;
    let mut line = Vec::new();
    loop {
        line.clear();
        if r.read_until(b'\n', &mut line)? == 0 {
            return Ok(None);
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim();
        if text.is_empty() {
            match length {
                Some(n) => break read_body(r, n),
                None => continue,
            }
        }
        match text.split_once(':') {
            Some((name, value)) if name.trim().eq_ignore_ascii_case("content-length") => {
                match value.trim().parse::<usize>() {
                    Ok(n) => length = Some(n),
                    Err(_) => {
                        eprintln!("azplint server: skipped a bad header: {text}");
                        length = None;
                    }
                }
            }
            Some((name, _)) if name.trim().eq_ignore_ascii_case("content-type") => {}
            _ => {
                eprintln!("azplint server: skipped a line that is not a header");
                length = None;
            }
        }
    }
    .map(Some)
}

fn read_body(r: &mut impl BufRead, n: usize) -> io::Result<Vec<u8>> {
    if n > MAX_BODY {
        eprintln!("azplint server: skipped a message of {n} bytes");
        io::copy(&mut r.take(n as u64), &mut io::sink())?;
        return Ok(Vec::new());
    }
    let mut body = vec![0; n];
    r.read_exact(&mut body)?;
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_are_read_after_garbage() {
        let input = b"garbage\r\nContent-Length: 2\r\n\r\n{}Content-Length: x\r\n\r\nContent-Length: 3\r\nContent-Type: a\r\n\r\n[1]";
        let mut r = &input[..];
        assert_eq!(read_frame(&mut r).unwrap().unwrap(), b"{}");
        assert_eq!(read_frame(&mut r).unwrap().unwrap(), b"[1]");
        assert!(read_frame(&mut r).unwrap().is_none());
    }
}
