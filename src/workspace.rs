//! The files of one run: the discovered pipelines plus every template they reach, each read and
//! parsed once, and the include graph between them.

use crate::discover::{self, Candidate};
use crate::source::Source;
use crate::source::MAX_FILE_BYTES;
use crate::templates::{self, Edge, Located, Target};
use crate::yaml::{self, Document, ParseError};
use std::collections::HashMap;

/// Maps and sets keyed by paths: a hasher seeded at random for each run (paths come from the
/// files linted) that costs far less than the standard one on long paths.
type FastMap<K, V> = foldhash::HashMap<K, V>;
type FastSet<K> = foldhash::HashSet<K>;
use std::path::{Path, PathBuf};

/// A pipeline or template file, parsed.
#[derive(Debug)]
pub struct File {
    pub source: Source,
    pub parsed: Result<Vec<Document>, ParseError>,
    /// Canonical path (the key that makes each file load once).
    pub canonical: PathBuf,
    /// Root of the repository the file belongs to.
    pub root: PathBuf,
}

impl File {
    /// The document template rules look at: the first one.
    pub fn document(&self) -> Option<&Document> {
        self.parsed.as_ref().ok().and_then(|d| d.first())
    }
}

/// All files of a run and the references between them.
#[derive(Debug, Default)]
pub struct Workspace {
    pub files: Vec<File>,
    /// `edges[i]`: the template references of `files[i]`, in source order.
    pub edges: Vec<Vec<Edge>>,
    /// Files that could not be read (not part of the graph), with why.
    pub unreadable: Vec<Unloaded>,
    /// `callers[i]`: the references to `files[i]` from other files, as `(file, edge index)`.
    pub callers: Vec<Vec<(usize, usize)>>,
    /// `handed_regions[i]`: byte ranges of `files[i]` handed to a template azplint can't read (the
    /// `parameters:` of `extends:` a remote template).
    pub handed_regions: Vec<Vec<yaml::Span>>,
    /// `handed[i]`: `files[i]` is only ever included from content handed to a template azplint
    /// can't read (directly or through other such files), so that template decides its fate.
    pub handed: Vec<bool>,
}

/// Why a file could not be linted. The workspace only says what happened; the library turns it
/// into a finding (`unreadable-file`, `file-too-large`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadProblem {
    /// It can't be read, is not a regular file, or is binary.
    Unreadable { message: String, help: String },
    /// Not UTF-8: `at` is the byte where valid text ends, `span` the first replaced character in
    /// the file's lossy text.
    NotUtf8 { at: usize, span: yaml::Span },
    /// Larger than azplint reads; `len` is unknown for standard input, read only up to the limit.
    TooLarge { len: Option<u64> },
}

/// A file that could not be linted: its source (empty, or the lossy text) and why.
#[derive(Debug)]
pub struct Unloaded {
    pub source: Source,
    pub problem: LoadProblem,
}

enum Loaded {
    File(File),
    Skip,
    Unreadable(Unloaded),
}

fn unreadable(display: &str, fs_path: &Path, message: String, help: &str) -> Loaded {
    problem(
        display,
        fs_path,
        LoadProblem::Unreadable {
            message,
            help: help.to_string(),
        },
    )
}

fn problem(display: &str, fs_path: &Path, problem: LoadProblem) -> Loaded {
    Loaded::Unreadable(Unloaded {
        source: Source::new(
            display.to_string(),
            Some(fs_path.to_path_buf()),
            String::new(),
        ),
        problem,
    })
}

/// Read, sniff and parse one file. `sniff`: skip files that don't look like pipelines.
/// `buffers`: texts that stand in for files on disk (canonical path -> text), as an editor's
/// open buffers or the passes of `check --fix`. `canonical`: the file's canonical path when it
/// is known already (a located template).
fn load(
    display: &str,
    fs_path: &Path,
    root: &Path,
    sniff: bool,
    buffers: &HashMap<PathBuf, String>,
    canonical: Option<&Path>,
) -> Loaded {
    if !buffers.is_empty() {
        let canonical = canonical.map(Path::to_path_buf).unwrap_or_else(|| {
            fs_path
                .canonicalize()
                .unwrap_or_else(|_| fs_path.to_path_buf())
        });
        if let Some(text) = buffers.get(&canonical) {
            if text.len() as u64 > MAX_FILE_BYTES {
                return problem(
                    display,
                    fs_path,
                    LoadProblem::TooLarge {
                        len: Some(text.len() as u64),
                    },
                );
            }
            let bytes = text.clone().into_bytes();
            return from_bytes(display, fs_path, canonical, root, bytes, sniff);
        }
    }
    let meta = match std::fs::metadata(fs_path) {
        Ok(m) => m,
        Err(e) => {
            return unreadable(
                display,
                fs_path,
                format!("can't read `{display}`: {e}"),
                "check that the file exists and that you may read it",
            )
        }
    };
    if !meta.is_file() {
        return unreadable(
            display,
            fs_path,
            format!("`{display}` is not a regular file"),
            "pass a pipeline file or a directory",
        );
    }
    if meta.len() > MAX_FILE_BYTES {
        // A huge YAML file found in a directory is reported only when its start looks like a
        // pipeline; one named on the command line always is.
        if sniff {
            let mut head = vec![0u8; 64 * 1024];
            let n = std::fs::File::open(fs_path)
                .and_then(|mut f| std::io::Read::read(&mut f, &mut head))
                .unwrap_or(0);
            head.truncate(n);
            if !discover::looks_like_pipeline(&String::from_utf8_lossy(&head)) {
                return Loaded::Skip;
            }
        }
        return problem(
            display,
            fs_path,
            LoadProblem::TooLarge {
                len: Some(meta.len()),
            },
        );
    }
    let bytes = match std::fs::read(fs_path) {
        Ok(b) => b,
        Err(e) => {
            return unreadable(
                display,
                fs_path,
                format!("can't read `{display}`: {e}"),
                "check that you may read the file",
            )
        }
    };
    let canonical = match canonical {
        Some(c) => c.to_path_buf(),
        None => fs_path
            .canonicalize()
            .unwrap_or_else(|_| fs_path.to_path_buf()),
    };
    from_bytes(display, fs_path, canonical, root, bytes, sniff)
}

/// Decode and parse a file's bytes (read from disk or standard input).
fn from_bytes(
    display: &str,
    fs_path: &Path,
    canonical: PathBuf,
    root: &Path,
    bytes: Vec<u8>,
    sniff: bool,
) -> Loaded {
    match String::from_utf8(bytes) {
        Ok(text) => {
            if text.contains('\0') {
                if sniff {
                    return Loaded::Skip;
                }
                return unreadable(
                    display,
                    fs_path,
                    format!("`{display}` is a binary file"),
                    "pass YAML pipeline files only",
                );
            }
            let source = Source::new(display.to_string(), Some(fs_path.to_path_buf()), text);
            if sniff && !discover::looks_like_pipeline(&source.text) {
                return Loaded::Skip;
            }
            let parsed = yaml::parse(&source.text);
            Loaded::File(File {
                source,
                parsed,
                canonical,
                root: root.to_path_buf(),
            })
        }
        Err(e) => {
            let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
            if sniff && !discover::looks_like_pipeline(&lossy) {
                return Loaded::Skip;
            }
            let at = e.utf8_error().valid_up_to();
            let source = Source::new(display.to_string(), Some(fs_path.to_path_buf()), lossy);
            // The first replacement character is where the invalid bytes were.
            let pos = source
                .text
                .find('\u{fffd}')
                .unwrap_or(at.min(source.text.len()));
            let end = pos + source.text[pos..].chars().next().map_or(0, char::len_utf8);
            Loaded::Unreadable(Unloaded {
                source,
                problem: LoadProblem::NotUtf8 { at, span: pos..end },
            })
        }
    }
}

/// Where template references point, by what `templates::locate` reads: (root, the including
/// file's directory or, for a path from the root, the root, the value). Many files name the same
/// template; resolving it once spares the file system calls of canonicalizing its path. `dirs`:
/// the directories resolved so far, for the templates not seen yet.
#[derive(Default)]
struct LocateCache {
    /// Keyed by the three joined with NULs (which no path holds): hashing one string costs
    /// less than hashing two paths component by component.
    found: std::sync::Mutex<FastMap<std::ffi::OsString, Located>>,
    dirs: templates::Dirs,
}

fn locate_cached(
    value: &str,
    from: &Path,
    root: &Path,
    repositories: &HashMap<String, PathBuf>,
    cache: &LocateCache,
) -> Located {
    let v = value.trim();
    let base = if v.starts_with('/') && !v.contains('@') {
        root
    } else {
        from.parent().unwrap_or(root)
    };
    let mut key = root.as_os_str().to_os_string();
    key.push("\0");
    key.push(base);
    key.push("\0");
    key.push(v);
    if let Some(hit) = cache.found.lock().ok().and_then(|c| c.get(&key).cloned()) {
        return hit;
    }
    let located = templates::locate_in(value, from, root, repositories, &cache.dirs);
    if let Ok(mut c) = cache.found.lock() {
        c.insert(key, located.clone());
    }
    located
}

/// What [`locate_refs`] returns.
type Refs = (Vec<(yaml::Span, Located)>, Vec<yaml::Span>);

/// The template references of a file, located, and the regions of it handed to a remote template.
fn locate_refs(file: &File, repositories: &HashMap<String, PathBuf>, cache: &LocateCache) -> Refs {
    let Some(doc) = file.document() else {
        return (Vec::new(), Vec::new());
    };
    let mut handed = Vec::new();
    let refs = crate::pipeline::Model::template_refs(doc.root.as_ref())
        .iter()
        .map(|r| {
            let located = locate_cached(r.path(), &file.canonical, &file.root, repositories, cache);
            if r.extends && matches!(located, Located::Other(Target::Remote { .. })) {
                if let Some(p) = r.parameters {
                    handed.push(p.span.clone());
                }
            }
            (r.entry.value.span.clone(), located)
        })
        .collect();
    (refs, handed)
}

/// The root a template at `p` belongs to: the mapped checkout holding it, else the root of the
/// file that names it.
fn root_for(p: &Path, repositories: &HashMap<String, PathBuf>, from_root: &Path) -> PathBuf {
    repositories
        .values()
        .filter_map(|r| r.canonicalize().ok())
        .find(|r| p.starts_with(r))
        .unwrap_or_else(|| from_root.to_path_buf())
}

/// Templates read ahead of the waves of [`Workspace::build`], by (canonical path, root).
type Ahead = FastMap<(PathBuf, PathBuf), Loaded>;

/// What the read-ahead shares between its tasks.
struct ReadAhead<'r> {
    repositories: &'r HashMap<String, PathBuf>,
    buffers: &'r HashMap<PathBuf, String>,
    cache: &'r LocateCache,
    cwd: Option<&'r Path>,
    /// Paths loaded or being loaded (the files already in the workspace included).
    seen: std::sync::Mutex<FastSet<PathBuf>>,
    out: std::sync::Mutex<Ahead>,
    /// What [`locate_refs`] found in each file followed, by (canonical path, root).
    refs: std::sync::Mutex<FastMap<(PathBuf, PathBuf), Refs>>,
}

impl<'r> ReadAhead<'r> {
    /// The templates `file` names that nobody has taken yet, with their roots (now taken).
    fn unseen(&self, file: &File) -> Vec<(PathBuf, PathBuf)> {
        let found = locate_refs(file, self.repositories, self.cache);
        let paths: Vec<PathBuf> = found
            .0
            .iter()
            .filter_map(|(_, l)| match l {
                Located::Path(p) => Some(p.clone()),
                Located::Other(_) => None,
            })
            .collect();
        if let Ok(mut refs) = self.refs.lock() {
            refs.insert((file.canonical.clone(), file.root.clone()), found);
        }
        paths
            .into_iter()
            .filter(|p| {
                self.seen
                    .lock()
                    .is_ok_and(|mut seen| seen.insert(p.clone()))
            })
            .map(|p| {
                let root = root_for(&p, self.repositories, &file.root);
                (p, root)
            })
            .collect()
    }

    /// Load the template at `p` in parallel, then the templates it names, each as soon as the
    /// file naming it is parsed (the waves wait for a whole level of the include graph).
    fn read<'s>(&'s self, s: &rayon::Scope<'s>, p: PathBuf, root: PathBuf) {
        s.spawn(move |s| {
            let display = templates::display_from(&p, self.cwd);
            let loaded = load(&display, &p, &root, false, self.buffers, Some(&p));
            if let Loaded::File(f) = &loaded {
                for (next, next_root) in self.unseen(f) {
                    self.read(s, next, next_root);
                }
            }
            if let Ok(mut out) = self.out.lock() {
                out.insert((p, root), loaded);
            }
        });
    }
}

impl Workspace {
    /// Load the discovered candidates, then follow template references until every reachable
    /// template is loaded. Work is parallel per wave of new files.
    pub fn build(
        candidates: &[Candidate],
        repositories: &HashMap<String, PathBuf>,
        stdin: Option<&(PathBuf, Vec<u8>)>,
        buffers: &HashMap<PathBuf, String>,
    ) -> Workspace {
        let mut ws = Workspace::default();
        let mut index: FastMap<PathBuf, usize> = FastMap::default();
        // Standard input, linted as if it were the file at `path` (which need not exist).
        if let Some((path, bytes)) = stdin {
            let display = crate::discover::display_path(path);
            // The file (and its directory) need not exist: resolve from the nearest existing
            // ancestor.
            let absolute = std::env::current_dir()
                .map(|c| c.join(path))
                .unwrap_or_else(|_| path.clone());
            let absolute = templates::normalize(&absolute).unwrap_or(absolute);
            let existing = absolute
                .ancestors()
                .skip(1)
                .find(|a| a.is_dir())
                .unwrap_or(Path::new("/"));
            let real = existing
                .canonicalize()
                .unwrap_or_else(|_| existing.to_path_buf());
            let canonical = real.join(absolute.strip_prefix(existing).unwrap_or(&absolute));
            let root = crate::discover::git_root(existing).unwrap_or(real);
            let loaded = if bytes.len() as u64 > MAX_FILE_BYTES {
                Loaded::Unreadable(Unloaded {
                    source: Source::new(display.clone(), Some(path.clone()), String::new()),
                    problem: LoadProblem::TooLarge { len: None },
                })
            } else {
                from_bytes(
                    &display,
                    path,
                    canonical.clone(),
                    &root,
                    bytes.clone(),
                    false,
                )
            };
            match loaded {
                Loaded::File(f) => {
                    index.insert(canonical, 0);
                    ws.files.push(f);
                }
                Loaded::Unreadable(r) => ws.unreadable.push(r),
                Loaded::Skip => {}
            }
        }
        let loaded: Vec<Loaded> = crate::map_items(candidates, |c| {
            load(
                &c.display,
                &c.fs_path,
                &c.root,
                !c.explicit,
                buffers,
                c.canonical.as_deref(),
            )
        });
        for l in loaded {
            match l {
                Loaded::File(f) => {
                    if !index.contains_key(&f.canonical) {
                        index.insert(f.canonical.clone(), ws.files.len());
                        ws.files.push(f);
                    }
                }
                Loaded::Skip => {}
                Loaded::Unreadable(r) => ws.unreadable.push(r),
            }
        }
        // Unreadable templates: their path, so references to them can say so.
        let mut unreadable_paths: FastMap<PathBuf, ()> = FastMap::default();
        let cache = LocateCache::default();
        // Templates are shown relative to the working directory, resolved once.
        let cwd = std::env::current_dir().and_then(|c| c.canonicalize()).ok();
        // Every template the loaded files reach, read and parsed ahead; the waves below take
        // them from here in their own order (and load what they don't find).
        let (mut ahead, mut ahead_refs) = {
            let reader = ReadAhead {
                repositories,
                buffers,
                cache: &cache,
                cwd: cwd.as_deref(),
                seen: std::sync::Mutex::new(index.keys().cloned().collect()),
                out: std::sync::Mutex::default(),
                refs: std::sync::Mutex::default(),
            };
            // A run without templates to read starts no thread for them.
            let first: Vec<(PathBuf, PathBuf)> = crate::map_items(&ws.files, |f| reader.unseen(f))
                .into_iter()
                .flatten()
                .collect();
            if !first.is_empty() {
                rayon::scope(|s| {
                    for (p, root) in first {
                        reader.read(s, p, root);
                    }
                });
            }
            (
                reader.out.into_inner().unwrap_or_default(),
                reader.refs.into_inner().unwrap_or_default(),
            )
        };
        let mut scanned = 0;
        while scanned < ws.files.len() {
            // The references of the files read ahead are known; the others are located here.
            let mut wave: Vec<Option<Refs>> = ws.files[scanned..]
                .iter()
                .map(|f| ahead_refs.remove(&(f.canonical.clone(), f.root.clone())))
                .collect();
            let missing: Vec<usize> = (0..wave.len()).filter(|&i| wave[i].is_none()).collect();
            let located = crate::map_items(&missing, |&i| {
                locate_refs(&ws.files[scanned + i], repositories, &cache)
            });
            for (i, r) in missing.into_iter().zip(located) {
                wave[i] = Some(r);
            }
            let wave: Vec<Refs> = wave.into_iter().flatten().collect();
            let wave_end = ws.files.len();
            // New files to load, with the root of the repository they belong to.
            let mut to_load: Vec<(PathBuf, PathBuf)> = Vec::new();
            let mut queued: FastSet<PathBuf> = FastSet::default();
            for (offset, (refs, _)) in wave.iter().enumerate() {
                let from = &ws.files[scanned + offset];
                for (_, located) in refs {
                    if let Located::Path(p) = located {
                        if !index.contains_key(p)
                            && !unreadable_paths.contains_key(p)
                            && !queued.contains(p)
                        {
                            queued.insert(p.clone());
                            let root = root_for(p, repositories, &from.root);
                            to_load.push((p.clone(), root));
                        }
                    }
                }
            }
            let mut slots: Vec<Option<Loaded>> = to_load.iter().map(|k| ahead.remove(k)).collect();
            let missing: Vec<usize> = (0..slots.len()).filter(|&i| slots[i].is_none()).collect();
            let loaded = crate::map_items(&missing, |&i| {
                let (p, root) = &to_load[i];
                // `p` is canonical: `templates::locate` resolved it.
                let display = templates::display_from(p, cwd.as_deref());
                load(&display, p, root, false, buffers, Some(p))
            });
            for (i, l) in missing.into_iter().zip(loaded) {
                slots[i] = Some(l);
            }
            let new: Vec<(PathBuf, Loaded)> = to_load
                .into_iter()
                .zip(slots)
                .filter_map(|((p, _), l)| Some((p, l?)))
                .collect();
            for (p, l) in new {
                match l {
                    Loaded::File(f) => {
                        index.insert(p, ws.files.len());
                        ws.files.push(f);
                    }
                    Loaded::Unreadable(r) => {
                        unreadable_paths.insert(p, ());
                        ws.unreadable.push(r);
                    }
                    Loaded::Skip => {}
                }
            }
            for (refs, regions) in wave {
                let edges = refs
                    .into_iter()
                    .map(|(span, located)| {
                        let handed = regions
                            .iter()
                            .any(|r| r.start <= span.start && span.end <= r.end);
                        let target = match located {
                            Located::Path(p) => match index.get(&p) {
                                Some(&i) => Target::File(i),
                                None => Target::Unreadable,
                            },
                            Located::Other(t) => t,
                        };
                        Edge {
                            span,
                            target,
                            handed,
                        }
                    })
                    .collect();
                ws.edges.push(edges);
                ws.handed_regions.push(regions);
            }
            scanned = wave_end;
        }
        // The reverse of the include graph, built once.
        ws.callers = vec![Vec::new(); ws.files.len()];
        for (f, edges) in ws.edges.iter().enumerate() {
            for (i, e) in edges.iter().enumerate() {
                if let Target::File(t) = e.target {
                    if t != f {
                        ws.callers[t].push((f, i));
                    }
                }
            }
        }
        ws.handed = handed_files(&ws.edges, &ws.callers);
        ws
    }

    /// Whether byte `pos` of file `file` is content whose fate a template azplint can't read
    /// decides: the file is only included from such content, or `pos` lies in it.
    pub fn is_handed(&self, file: usize, pos: usize) -> bool {
        self.handed.get(file).copied().unwrap_or(false)
            || self
                .handed_regions
                .get(file)
                .is_some_and(|rs| rs.iter().any(|r| r.start <= pos && pos < r.end))
    }

    /// The edge of file `file` whose `template:` value starts at `start`.
    pub fn edge(&self, file: usize, start: usize) -> Option<&Edge> {
        self.edges.get(file)?.iter().find(|e| e.span.start == start)
    }
}

/// Files included only from content handed to a remote template: every reference to them is a
/// handed reference or comes from such a file. Grown to a fixed point from the handed references.
fn handed_files(edges: &[Vec<Edge>], callers: &[Vec<(usize, usize)>]) -> Vec<bool> {
    let mut handed = vec![false; callers.len()];
    loop {
        let mut changed = false;
        for (t, refs) in callers.iter().enumerate() {
            if handed[t] || refs.is_empty() {
                continue;
            }
            if refs.iter().all(|&(f, i)| edges[f][i].handed || handed[f]) {
                handed[t] = true;
                changed = true;
            }
        }
        if !changed {
            return handed;
        }
    }
}
