//! The one walk: how a pipeline document is traversed, and how template directives are read.
//!
//! Everything that looks through a document goes through here, so that every rule and every part
//! of the model agrees on three things:
//! - Which `${{ }}` keys splice their content into the parent: only the directives `if`, `elseif`,
//!   `else`, `each` and `insert`. Any other `${{ }}` key (`${{ leg }}:` in a matrix) is an
//!   ordinary entry whose name is computed; its value is that entry's value.
//! - The depth limit ([`MAX_DEPTH`]): deeper nodes are not visited.
//! - Where a node stands ([`At`]): an item of a list (also through directive blocks), inside a
//!   conditional, the mapping its keys belong to once blocks are lifted, and the key it is the
//!   value of.
//!
//! [`walk`] visits a whole tree in document order with [`Visitor`] callbacks (in the manner of
//! actionlint's pass and zizmor's per-step audits). [`for_each_entry_in`] and [`for_each_item`]
//! read one mapping or one list with their directive blocks lifted in.

use crate::yaml::{
    directive_of, is_computed_key, is_directive_key, Entry, Node, NodeKind, MAX_DEPTH,
};

/// Where a node stands in the document.
#[derive(Debug, Clone, Copy, Default)]
pub struct At<'a> {
    /// Nesting depth from the root (0).
    pub depth: usize,
    /// An item of a list, directly or as the content of a directive block of an item
    /// (`- ${{ if c }}:` holding one step).
    pub item: bool,
    /// Inside a `${{ if }}`, `${{ elseif }}`, `${{ else }}` or `${{ each }}` block, here or above:
    /// present in some expansions only.
    pub conditional: bool,
    /// The plain key this node is the value of (directive blocks are looked through; `None` for
    /// list items, the root and computed keys).
    pub key: Option<&'a str>,
    /// The mapping this node's keys join once directive blocks are lifted: the node itself for a
    /// mapping, the mapping holding the directive for a block's content. `None` for the root's
    /// parent and for list items' parents.
    pub holder: Option<&'a Node>,
    /// The value of a directive key: spliced into `holder` rather than standing on its own.
    pub spliced: bool,
}

/// What to do after a callback.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// Visit what is below.
    Continue,
    /// Skip what is below this node or entry (its value); go on with the next one.
    Skip,
}

/// Callbacks of [`walk`]. Every callback has a default that does nothing and continues.
pub trait Visitor<'a> {
    /// A mapping, before its entries. `at.holder` is the mapping itself unless it is a directive
    /// block's content.
    fn enter_map(&mut self, _map: &'a Node, _at: &At<'a>) -> Flow {
        Flow::Continue
    }
    /// After a mapping's entries.
    fn leave_map(&mut self, _map: &'a Node, _at: &At<'a>) {}
    /// An entry of a mapping (directive keys included), before its value. `at` is where the
    /// mapping stands.
    fn entry(&mut self, _entry: &'a Entry, _at: &At<'a>) -> Flow {
        Flow::Continue
    }
    /// After an entry's value.
    fn leave_entry(&mut self, _entry: &'a Entry, _at: &At<'a>) {}
    /// A list, before its items.
    fn enter_seq(&mut self, _seq: &'a Node, _at: &At<'a>) -> Flow {
        Flow::Continue
    }
    /// After a list's items (not called when `enter_seq` skipped it).
    fn leave_seq(&mut self, _seq: &'a Node, _at: &At<'a>) {}
    /// A scalar value (keys come through [`Visitor::entry`]).
    fn scalar(&mut self, _node: &'a Node, _at: &At<'a>) {}
}

/// Visit `root` and everything below it, in document order.
pub fn walk<'a>(root: &'a Node, visitor: &mut dyn Visitor<'a>) {
    let at = At {
        holder: root.as_map().map(|_| root),
        ..At::default()
    };
    node(root, at, visitor);
}

/// Visit `root` once for several visitors: each gets exactly the callbacks [`walk`] would give it
/// on its own, in the same order (what one skips, it doesn't see; the others still do).
pub fn walk_all<'a>(root: &'a Node, visitors: &mut [Box<dyn Visitor<'a> + '_>]) {
    if visitors.is_empty() {
        return;
    }
    let mut fan = Fanout {
        muted: vec![None; visitors.len()],
        visitors,
    };
    walk(root, &mut fan);
}

/// What a visitor of [`walk_all`] skipped, until the walk is past it.
#[derive(Clone, Copy)]
enum Mute<'a> {
    Map(&'a Node),
    Seq(&'a Node),
    Entry(&'a Entry),
}

impl Mute<'_> {
    fn is_node(&self, n: &Node) -> bool {
        matches!(self, Mute::Map(m) | Mute::Seq(m) if std::ptr::eq(*m, n))
    }

    fn same(&self, other: &Mute) -> bool {
        match (self, other) {
            (Mute::Map(a), Mute::Map(b)) | (Mute::Seq(a), Mute::Seq(b)) => std::ptr::eq(*a, *b),
            (Mute::Entry(a), Mute::Entry(b)) => std::ptr::eq(*a, *b),
            _ => false,
        }
    }
}

/// The visitors of [`walk_all`], and which of them skip the part being walked.
struct Fanout<'v, 'w, 'a> {
    visitors: &'v mut [Box<dyn Visitor<'a> + 'w>],
    muted: Vec<Option<Mute<'a>>>,
}

impl<'a> Fanout<'_, '_, 'a> {
    /// Ask each visitor that is not skipping; those that answer `Skip` skip `mute`'s part. When
    /// none is left, the walk itself skips it (and nobody stays muted for it).
    fn ask(&mut self, mute: Mute<'a>, mut f: impl FnMut(&mut dyn Visitor<'a>) -> Flow) -> Flow {
        let mut skipped = false;
        for (v, m) in self.visitors.iter_mut().zip(&mut self.muted) {
            if m.is_none() && f(&mut **v) == Flow::Skip {
                *m = Some(mute);
                skipped = true;
            }
        }
        if skipped && self.muted.iter().all(Option::is_some) {
            for m in &mut self.muted {
                if m.is_some_and(|m| m.same(&mute)) {
                    *m = None;
                }
            }
            return Flow::Skip;
        }
        Flow::Continue
    }

    /// Call `f` on each visitor that is not skipping.
    fn each(&mut self, mut f: impl FnMut(&mut dyn Visitor<'a>)) {
        for (v, m) in self.visitors.iter_mut().zip(&self.muted) {
            if m.is_none() {
                f(&mut **v);
            }
        }
    }

    /// The walk is past node `n`: who skipped it takes part again, without its leave callback;
    /// the others get `f`.
    fn leave_node(&mut self, n: &Node, mut f: impl FnMut(&mut dyn Visitor<'a>)) {
        for (v, m) in self.visitors.iter_mut().zip(&mut self.muted) {
            match m {
                Some(mute) if mute.is_node(n) => *m = None,
                Some(_) => {}
                None => f(&mut **v),
            }
        }
    }
}

impl<'a> Visitor<'a> for Fanout<'_, '_, 'a> {
    fn enter_map(&mut self, map: &'a Node, at: &At<'a>) -> Flow {
        self.ask(Mute::Map(map), |v| v.enter_map(map, at))
    }

    fn leave_map(&mut self, map: &'a Node, at: &At<'a>) {
        self.leave_node(map, |v| v.leave_map(map, at));
    }

    fn entry(&mut self, entry: &'a Entry, at: &At<'a>) -> Flow {
        self.ask(Mute::Entry(entry), |v| v.entry(entry, at))
    }

    fn leave_entry(&mut self, entry: &'a Entry, at: &At<'a>) {
        // A visitor that skipped the entry's value still leaves the entry, as in its own walk.
        let past = Mute::Entry(entry);
        for m in &mut self.muted {
            if m.is_some_and(|m| m.same(&past)) {
                *m = None;
            }
        }
        self.each(|v| v.leave_entry(entry, at));
    }

    fn enter_seq(&mut self, seq: &'a Node, at: &At<'a>) -> Flow {
        self.ask(Mute::Seq(seq), |v| v.enter_seq(seq, at))
    }

    fn leave_seq(&mut self, seq: &'a Node, at: &At<'a>) {
        self.leave_node(seq, |v| v.leave_seq(seq, at));
    }

    fn scalar(&mut self, node: &'a Node, at: &At<'a>) {
        self.each(|v| v.scalar(node, at));
    }
}

/// Where the value of `e`, an entry of a mapping standing at `at` whose logical mapping is
/// `holder`, stands.
pub fn value_at<'a>(e: &'a Entry, at: &At<'a>, holder: &'a Node) -> At<'a> {
    let depth = at.depth + 1;
    match e.key.as_str().and_then(directive_of) {
        Some(d) => At {
            depth,
            // The content of a directive block of a list item is still that item.
            item: at.item,
            conditional: at.conditional || d != "insert",
            key: at.key,
            holder: Some(holder),
            spliced: true,
        },
        None => At {
            depth,
            item: false,
            conditional: at.conditional,
            // Not a directive: a computed key is any other expression.
            key: e.key.as_str().filter(|k| !crate::yaml::is_expression(k)),
            holder: e.value.as_map().map(|_| &e.value),
            spliced: false,
        },
    }
}

fn node<'a>(n: &'a Node, at: At<'a>, v: &mut dyn Visitor<'a>) {
    if at.depth >= MAX_DEPTH {
        return;
    }
    match &n.kind {
        NodeKind::Map(entries) => {
            if v.enter_map(n, &at) == Flow::Skip {
                return;
            }
            let holder = at.holder.unwrap_or(n);
            for e in entries {
                if v.entry(e, &at) == Flow::Continue {
                    node(&e.value, value_at(e, &at, holder), v);
                }
                v.leave_entry(e, &at);
            }
            v.leave_map(n, &at);
        }
        NodeKind::Seq(items) => {
            if v.enter_seq(n, &at) == Flow::Skip {
                return;
            }
            for item in items {
                let child = At {
                    depth: at.depth + 1,
                    item: true,
                    conditional: at.conditional,
                    key: None,
                    holder: item.as_map().map(|_| item),
                    spliced: false,
                };
                node(item, child, v);
            }
            v.leave_seq(n, &at);
        }
        NodeKind::Scalar(..) => v.scalar(n, &at),
        NodeKind::Alias(_) => {}
    }
}

/// Visit the entries of a mapping with its directive blocks (`${{ if }}:`, `${{ each }}:`, ...)
/// lifted in, as the server reads it once the template is expanded.
pub fn for_each_entry<'a>(map: &'a Node, depth: usize, f: &mut dyn FnMut(&'a Entry)) {
    for_each_entry_in(map, depth, false, &mut |e, _| f(e));
}

/// Like [`for_each_entry`], also telling whether each entry stands inside a `${{ if }}`,
/// `${{ elseif }}`, `${{ else }}` or `${{ each }}` block (`conditional` says whether `map` itself
/// does).
pub fn for_each_entry_in<'a>(
    map: &'a Node,
    depth: usize,
    conditional: bool,
    f: &mut dyn FnMut(&'a Entry, bool),
) {
    let Some(entries) = map.as_map() else { return };
    for e in entries {
        match e.key.as_str().and_then(directive_of) {
            Some(d) => {
                if depth < MAX_DEPTH {
                    for_each_entry_in(&e.value, depth + 1, conditional || d != "insert", f);
                }
            }
            None => f(e, conditional),
        }
    }
}

/// Every entry of a mapping, directive keys included, then the entries inside each block.
pub fn for_each_key<'a>(map: &'a Node, f: &mut dyn FnMut(&'a Entry)) {
    fn go<'a>(map: &'a Node, depth: usize, f: &mut dyn FnMut(&'a Entry)) {
        let Some(entries) = map.as_map() else { return };
        for e in entries {
            f(e);
            if e.key.as_str().is_some_and(is_directive_key) && depth < MAX_DEPTH {
                go(&e.value, depth + 1, f);
            }
        }
    }
    go(map, 0, f)
}

/// The plain entries of a mapping level by level: first those of each directive block, then the
/// mapping's own (entries of `${{ if }}` and `${{ else }}` branches may exclude each other, so each
/// block is a group of its own). Computed keys are left out.
pub fn for_each_block<'a>(map: &'a Node, f: &mut dyn FnMut(Vec<&'a Entry>)) {
    fn go<'a>(map: &'a Node, depth: usize, f: &mut dyn FnMut(Vec<&'a Entry>)) {
        let Some(entries) = map.as_map() else { return };
        let mut plain = Vec::new();
        for e in entries {
            match e.key.as_str() {
                Some(k) if is_directive_key(k) && depth < MAX_DEPTH => go(&e.value, depth + 1, f),
                Some(k) if !crate::yaml::is_expression(k) => plain.push(e),
                _ => {}
            }
        }
        f(plain);
    }
    go(map, 0, f)
}

/// A mapping as the server reads it once templates are expanded.
pub struct Lifted<'a> {
    /// Plain entries, with `${{ if }}`/`${{ else }}`/`${{ each }}` blocks lifted in.
    pub entries: Vec<&'a Entry>,
    /// Entries whose key is computed (`${{ leg }}:`, `${{ parameters.name }}_x64:`): ordinary
    /// entries whose name azplint can't know. Their values are still theirs (a matrix leg).
    pub computed: Vec<&'a Entry>,
    /// Keys may come from somewhere azplint can't see (`${{ insert }}`, computed keys, a block
    /// that is not a mapping).
    pub open: bool,
}

/// Entries of a mapping with `${{ if }}`/`${{ else }}`/`${{ each }}` blocks lifted in. Only
/// directive keys are lifted: any other `${{ }}` key is a computed name, kept as an entry.
pub fn lifted_entries(node: &Node) -> Lifted<'_> {
    fn go<'a>(node: &'a Node, depth: usize, out: &mut Lifted<'a>) {
        let Some(entries) = node.as_map() else {
            if !node.is_null() {
                out.open = true;
            }
            return;
        };
        for e in entries {
            match e.key.as_str() {
                Some(k) if is_directive_key(k) => {
                    if crate::yaml::directive_of(k) == Some("insert")
                        || e.value.as_map().is_none()
                        || depth >= MAX_DEPTH
                    {
                        out.open = true;
                    } else {
                        go(&e.value, depth + 1, out);
                    }
                }
                Some(k) if is_computed_key(k) => {
                    out.open = true;
                    out.computed.push(e);
                }
                Some(_) => out.entries.push(e),
                None => out.open = true,
            }
        }
    }
    let mut out = Lifted {
        entries: Vec::new(),
        computed: Vec::new(),
        open: false,
    };
    go(node, 0, &mut out);
    out
}

/// A list item as the server sees it once directive blocks are expanded.
#[derive(Debug, Clone, Copy)]
pub enum Item<'a> {
    /// An item azplint can read (a mapping, or a scalar), and whether it stands in a conditional.
    Node(&'a Node, bool),
    /// Something that expands to items azplint can't see: a `${{ each }}` or `${{ insert }}`
    /// block, an item built from an expression (`- ${{ parameters.jobs }}`), or a block whose
    /// content is not a list or a mapping.
    Opaque(&'a Node),
}

/// The items of a list with `- ${{ if }}:` / `- ${{ else }}:` blocks lifted in (their content may be
/// a list of items or one item). With `through_each`, the content of `${{ each }}`/`${{ insert }}`
/// blocks is lifted too (its items are templates of the real ones); otherwise such a block is one
/// [`Item::Opaque`].
pub fn for_each_item<'a>(list: &'a Node, through_each: bool, f: &mut dyn FnMut(Item<'a>)) {
    fn go<'a>(
        items: &'a [Node],
        depth: usize,
        conditional: bool,
        through_each: bool,
        f: &mut dyn FnMut(Item<'a>),
    ) {
        for item in items {
            let block = item.as_map().filter(|m| {
                !m.is_empty()
                    && m.iter()
                        .all(|e| e.key.as_str().is_some_and(is_directive_key))
            });
            let Some(entries) = block else {
                match item.as_str() {
                    Some(s) if crate::yaml::is_expression(s) => f(Item::Opaque(item)),
                    _ => f(Item::Node(item, conditional)),
                }
                continue;
            };
            if depth >= MAX_DEPTH {
                f(Item::Opaque(item));
                continue;
            }
            for e in entries {
                let d = e.key.as_str().and_then(directive_of).unwrap_or("insert");
                let branch = matches!(d, "if" | "elseif" | "else");
                if !branch && !through_each {
                    f(Item::Opaque(&e.value));
                    continue;
                }
                let cond = conditional || d != "insert";
                match &e.value.kind {
                    NodeKind::Seq(inner) => go(inner, depth + 1, cond, through_each, f),
                    NodeKind::Map(_) => go(
                        std::slice::from_ref(&e.value),
                        depth + 1,
                        cond,
                        through_each,
                        f,
                    ),
                    _ => f(Item::Opaque(&e.value)),
                }
            }
        }
    }
    match &list.kind {
        NodeKind::Seq(items) => go(items, 0, false, through_each, f),
        // A single item given where a list is expected (a `step` parameter default).
        NodeKind::Map(_) => go(std::slice::from_ref(list), 0, false, through_each, f),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root(text: &str) -> Node {
        crate::yaml::parse(text)
            .unwrap()
            .remove(0)
            .root
            .expect("a document")
    }

    /// Logs every callback it gets; skips the maps, entries and lists its rule picks.
    struct Log {
        skip_map: &'static str,
        skip_entry: &'static str,
        skip_seq_under: &'static str,
        seen: Vec<String>,
    }

    impl<'a> Visitor<'a> for Log {
        fn enter_map(&mut self, map: &'a Node, at: &At<'a>) -> Flow {
            self.seen.push(format!("map {:?}", at.key));
            if map.get(self.skip_map).is_some() {
                Flow::Skip
            } else {
                Flow::Continue
            }
        }
        fn leave_map(&mut self, _: &'a Node, at: &At<'a>) {
            self.seen.push(format!("/map {:?}", at.key));
        }
        fn entry(&mut self, e: &'a Entry, _: &At<'a>) -> Flow {
            self.seen.push(format!("entry {:?}", e.key.as_str()));
            if e.key.as_str() == Some(self.skip_entry) {
                Flow::Skip
            } else {
                Flow::Continue
            }
        }
        fn leave_entry(&mut self, e: &'a Entry, _: &At<'a>) {
            self.seen.push(format!("/entry {:?}", e.key.as_str()));
        }
        fn enter_seq(&mut self, _: &'a Node, at: &At<'a>) -> Flow {
            self.seen.push(format!("seq {:?}", at.key));
            if at.key == Some(self.skip_seq_under) {
                Flow::Skip
            } else {
                Flow::Continue
            }
        }
        fn leave_seq(&mut self, _: &'a Node, at: &At<'a>) {
            self.seen.push(format!("/seq {:?}", at.key));
        }
        fn scalar(&mut self, n: &'a Node, _: &At<'a>) {
            self.seen.push(format!("scalar {:?}", n.as_str()));
        }
    }

    #[test]
    fn one_walk_for_several_visitors_gives_each_its_own_walk() {
        let r = root("a:\n  b: 1\n  c: [x, y]\nd:\n  - e: 2\n    f: {g: 3}\n  - h\nc:\n  b: [4]\n");
        let picks = [
            ("b", "zz", "zz"),
            ("zz", "a", "zz"),
            ("zz", "zz", "c"),
            ("g", "d", "b"),
            ("e", "f", "c"),
            ("a", "zz", "zz"),
            ("zz", "zz", "zz"),
        ];
        let make = |(m, e, q): (&'static str, &'static str, &'static str)| Log {
            skip_map: m,
            skip_entry: e,
            skip_seq_under: q,
            seen: Vec::new(),
        };
        let alone: Vec<Vec<String>> = picks
            .iter()
            .map(|&p| {
                let mut v = make(p);
                walk(&r, &mut v);
                v.seen
            })
            .collect();
        // The picks do skip: the root (only its `enter_map` is seen), and parts of the rest.
        assert_eq!(alone[5], vec!["map None".to_string()]);
        for a in &alone[..5] {
            assert!(a.len() < alone[6].len(), "{a:?}");
        }
        for n in 1..=picks.len() {
            let mut logs: Vec<Log> = picks[..n].iter().map(|&p| make(p)).collect();
            {
                let mut boxed: Vec<Box<dyn Visitor + '_>> = logs
                    .iter_mut()
                    .map(|l| Box::new(LogRef(l)) as Box<dyn Visitor>)
                    .collect();
                walk_all(&r, &mut boxed);
            }
            for (i, l) in logs.iter().enumerate() {
                assert_eq!(l.seen, alone[i], "visitor {i} among {n}");
            }
        }
    }

    /// A [`Log`] borrowed into [`walk_all`].
    struct LogRef<'l>(&'l mut Log);

    impl<'a> Visitor<'a> for LogRef<'_> {
        fn enter_map(&mut self, n: &'a Node, at: &At<'a>) -> Flow {
            self.0.enter_map(n, at)
        }
        fn leave_map(&mut self, n: &'a Node, at: &At<'a>) {
            self.0.leave_map(n, at)
        }
        fn entry(&mut self, e: &'a Entry, at: &At<'a>) -> Flow {
            self.0.entry(e, at)
        }
        fn leave_entry(&mut self, e: &'a Entry, at: &At<'a>) {
            self.0.leave_entry(e, at)
        }
        fn enter_seq(&mut self, n: &'a Node, at: &At<'a>) -> Flow {
            self.0.enter_seq(n, at)
        }
        fn leave_seq(&mut self, n: &'a Node, at: &At<'a>) {
            self.0.leave_seq(n, at)
        }
        fn scalar(&mut self, n: &'a Node, at: &At<'a>) {
            self.0.scalar(n, at)
        }
    }

    /// Records, for each plain key, whether it is seen as an item's key, conditional, and the
    /// first key of its holder.
    #[derive(Default)]
    struct Keys(Vec<(String, bool, bool, Option<String>)>);

    impl<'a> Visitor<'a> for Keys {
        fn entry(&mut self, e: &'a Entry, at: &At<'a>) -> Flow {
            if let Some(k) = e.key.as_str().filter(|k| !is_directive_key(k)) {
                let first = at
                    .holder
                    .and_then(|h| h.as_map())
                    .and_then(|m| m.first())
                    .and_then(|e| e.key.as_str())
                    .map(str::to_string);
                self.0.push((k.to_string(), at.item, at.conditional, first));
            }
            Flow::Continue
        }
    }

    #[test]
    fn directives_splice_and_computed_keys_do_not() {
        let t = "matrix:\n  ${{ each c in parameters.c }}:\n    ${{ c }}:\n      configuration: ${{ c }}\n      ${{ if eq(c, 'r') }}:\n        sign: true\n";
        let r = root(t);
        let mut k = Keys::default();
        walk(&r, &mut k);
        let names: Vec<(&str, bool)> = k.0.iter().map(|(n, _, c, _)| (n.as_str(), *c)).collect();
        assert_eq!(
            names,
            vec![
                ("matrix", false),
                ("${{ c }}", true),
                ("configuration", true),
                ("sign", true)
            ]
        );
        // `sign` joins the computed leg's mapping, not `matrix`.
        let sign = k.0.iter().find(|(n, ..)| n == "sign").unwrap();
        assert_eq!(sign.3.as_deref(), Some("configuration"));
    }

    #[test]
    fn items_through_blocks() {
        let t = "steps:\n- script: a\n- ${{ if true }}:\n  - script: b\n  - script: c\n- ${{ else }}:\n    script: d\n- ${{ each s in parameters.s }}:\n  - ${{ s }}\n- ${{ parameters.more }}\n";
        let r = root(t);
        let list = r.get("steps").unwrap();
        let mut seen = Vec::new();
        for_each_item(list, false, &mut |i| {
            seen.push(match i {
                Item::Node(n, c) => format!(
                    "{}{}",
                    n.get("script").unwrap().as_str().unwrap(),
                    if c { "?" } else { "" }
                ),
                Item::Opaque(_) => "opaque".into(),
            })
        });
        assert_eq!(seen, vec!["a", "b?", "c?", "d?", "opaque", "opaque"]);
        let mut k = Keys::default();
        walk(&r, &mut k);
        let items: Vec<&str> =
            k.0.iter()
                .filter(|(_, item, ..)| *item)
                .map(|(n, ..)| n.as_str())
                .collect();
        assert_eq!(items, vec!["script", "script", "script", "script"]);
    }

    #[test]
    fn depth_is_bounded() {
        let mut t = String::new();
        for i in 0..150 {
            t.push_str(&"  ".repeat(i));
            t.push_str("k:\n");
        }
        let r = root(&t);
        struct Deepest(usize);
        impl<'a> Visitor<'a> for Deepest {
            fn entry(&mut self, _: &'a Entry, at: &At<'a>) -> Flow {
                self.0 = self.0.max(at.depth);
                Flow::Continue
            }
        }
        let mut d = Deepest(0);
        walk(&r, &mut d);
        assert!(d.0 < MAX_DEPTH);
    }
}
