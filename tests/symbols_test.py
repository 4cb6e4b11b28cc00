from __future__ import annotations

import textwrap

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from findings_gate.place import symbols
from findings_gate.place.symbols import Definition
from tests.conftest import Repo


def defs(text: str, path: str) -> list[tuple[str, str, int, int]]:
    """(qualname, kind, start, end) of each definition, for short assertions."""
    return [(d.qualname, d.kind, d.start, d.end) for d in symbols.definitions(textwrap.dedent(text), path)]


PYTHON = '''\
import functools


class TrunkPlugin(Base):
    """A plugin; the braces { in this docstring } mean nothing."""

    @property
    @functools.lru_cache(maxsize=None)
    def update_trunk(self, context,
                     trunk):
        def helper():
            return '{'
        return helper()

    class Inner:
        async def run(self):
            pass


def _trigger_trunk_status_change(trunk):
    update_trunk(trunk)  # a call, not a definition


if True:
    def conditional():
        pass
'''


def test_python_definitions() -> None:
    assert defs(PYTHON, 'plugin.py') == [
        ('TrunkPlugin', 'class', 4, 17),
        ('TrunkPlugin.update_trunk', 'method', 7, 13),
        ('TrunkPlugin.update_trunk.helper', 'function', 11, 12),
        ('TrunkPlugin.Inner', 'class', 15, 17),
        ('TrunkPlugin.Inner.run', 'method', 16, 17),
        ('_trigger_trunk_status_change', 'function', 20, 21),
        ('conditional', 'function', 25, 26),
    ]


def test_python_method_with_two_decorators() -> None:
    [method] = symbols.find(symbols.definitions(PYTHON, 'plugin.py'), 'TrunkPlugin.update_trunk')
    assert (method.start, method.end) == (7, 13)  # from the first decorator to `return helper()`


PYTHON2 = '''\
class Legacy(object):

    @staticmethod
    def parse(data):
        print "parsing %s" % (data,
                              "def fake(x):")
        return data

    def dump(self):
        try:
            pass
        except ValueError, e:
            raise e
  # a comment less indented than the body
        return """
def not_a_function():
"""


def main():
    print >>sys.stderr, "{"
'''


def test_python2_falls_back_to_indentation() -> None:
    assert defs(PYTHON2, 'legacy.py') == [
        ('Legacy', 'class', 1, 17),
        ('Legacy.parse', 'method', 3, 7),
        ('Legacy.dump', 'method', 9, 17),
        ('main', 'function', 20, 21),
    ]


def test_unknown_language() -> None:
    assert symbols.definitions('def f(): pass', 'notes.txt') == ()
    assert symbols.language('README') is None
    assert symbols.language('src/a.PY') == 'python'


@pytest.mark.parametrize(('symbol', 'expected'), [
    ('update_trunk', ['TrunkPlugin.update_trunk']),
    ('`update_trunk`', ['TrunkPlugin.update_trunk']),
    ('update_trunk()', ['TrunkPlugin.update_trunk']),
    ('update_trunk(self, context, trunk)', ['TrunkPlugin.update_trunk']),
    ('TrunkPlugin.update_trunk', ['TrunkPlugin.update_trunk']),
    ('TrunkPlugin::update_trunk', ['TrunkPlugin.update_trunk']),
    ('TrunkPlugin#update_trunk', ['TrunkPlugin.update_trunk']),
    ('self.update_trunk', ['TrunkPlugin.update_trunk']),
    ('plugin.update_trunk()', ['TrunkPlugin.update_trunk']),
    ('`_trigger_trunk_status_change()`', ['_trigger_trunk_status_change']),
    ('Inner.run', ['TrunkPlugin.Inner.run']),
    ('missing', []),
    ('not a symbol', []),
    ('', []),
])
def test_find_forms(symbol: str, expected: list[str]) -> None:
    found = symbols.find(symbols.definitions(PYTHON, 'plugin.py'), symbol)
    assert [d.qualname for d in found] == expected


def test_find_ranks_exact_then_longest_suffix() -> None:
    found = [
        Definition('run', 'run', 'function', 1, 2),
        Definition('run', 'Job.run', 'method', 4, 5),
        Definition('run', 'Outer.Job.run', 'method', 7, 8),
        Definition('runner', 'runner', 'function', 10, 11),
    ]
    assert [d.qualname for d in symbols.find(found, 'Job.run')] == ['Job.run', 'Outer.Job.run', 'run']
    assert [d.qualname for d in symbols.find(found, 'Outer::Job::run()')][0] == 'Outer.Job.run'
    assert [d.qualname for d in symbols.find(found, 'run')] == ['run', 'Job.run', 'Outer.Job.run']


def test_innermost() -> None:
    found = symbols.definitions(PYTHON, 'plugin.py')
    assert symbols.innermost(found, 12).qualname == 'TrunkPlugin.update_trunk.helper'  # type: ignore[union-attr]
    assert symbols.innermost(found, 8).qualname == 'TrunkPlugin.update_trunk'  # type: ignore[union-attr]
    assert symbols.innermost(found, 14) is None  # between methods
    assert symbols.innermost(found, 14, ('class',)).qualname == 'TrunkPlugin'  # type: ignore[union-attr]
    assert symbols.innermost(found, 17, ('class',)).qualname == 'TrunkPlugin.Inner'  # type: ignore[union-attr]
    assert symbols.innermost(found, 1) is None
    assert symbols.innermost((), 1) is None


def test_a_long_python_file() -> None:  # speed is measured in bench/, not asserted here
    text = PYTHON * (5000 // PYTHON.count('\n'))
    found = symbols.definitions(text, 'big.py')
    assert len(found) == 7 * (5000 // PYTHON.count('\n'))


C = '''\
#include <stdio.h>
#define MAX(a, b) { (a) > (b) ? (a) : (b) }

struct point {
    int x, y;
};

static int helper(int x);  /* a prototype: not a definition { */

static int
helper(int x)
{
    const char *s = "}{";
    char c = '{';
    if (x > 0) {
        return helper(x - 1);  // a call {
    }
    return 0;
}

struct point *make_point(int x,
                         int y) {
    list_for_each(pos, head) {
        x++;
    }
    return NULL;
}

int main(int argc, char **argv) { return helper(argc); }
'''

CPP = '''\
namespace trunk {

template <typename T>
class TrunkPlugin : public Base<T> {
public:
    explicit TrunkPlugin(int n) : n_(n) {}
    ~TrunkPlugin() override {}
    void update_trunk(const std::string& name) const {
        auto f = [&](int x) { return x + 1; };
        std::string s = R"(raw { string)";
    }
    bool operator==(const TrunkPlugin& other) const;
private:
    int n_;
};

bool TrunkPlugin::operator==(const TrunkPlugin& other) const {
    return n_ == other.n_;
}

std::vector<int> TrunkPlugin::compute(int a) {
    for (int i = 0; i < a; ++i) {
    }
    return {};
}

}  // namespace trunk
'''

JAVA = '''\
package trunk;

import java.util.List;

/** Javadoc with a brace { */
@Service
public class TrunkPlugin extends Base implements Plugin {
    private static final String OPEN = "{";

    public TrunkPlugin(int n) {
        super(n);
    }

    @Override
    @Transactional(readOnly = true)
    public <T extends Comparable<T>> List<T> updateTrunk(String name,
                                                        Map<String, List<Integer>> m) throws IOException {
        if (name.equals("}")) {
            return compute(name);
        }
        Runnable r = new Runnable() {
            public void run() { }
        };
        executor.submit(() -> {
            process();
        });
        return null;
    }

    abstract void declared(int x);

    static class Inner {
        int[] values() { return new int[] {1, 2}; }
    }

    interface Callback {
        void call();
    }

    enum Color { RED, GREEN }
}
'''

GO = '''\
package trunk

type Server struct {
    name string
}

type Handler interface {
    Serve(w Writer) error
}

func (s *Server) UpdateTrunk(m map[string]interface{}) (int, error) {
    if s.name == "{" {
        return 0, nil
    }
    defer func() {
        recover()
    }()
    return helper(s), nil
}

func helper(s *Server) int { return len(`}`) }

func Map[T any, U any](xs []T, f func(T) U) []U {
    return nil
}

func empty() interface{} {
    return struct{}{}
}
'''.replace('    ', '\t')  # gofmt indents with tabs

TS = '''\
import { Injectable } from '@angular/core';

export interface TrunkOptions {
  name: string;
  update(x: number): void;
}

@Injectable({ providedIn: 'root' })
export class TrunkPlugin extends Base {
  private count: number = 0
  static readonly PATTERN = /[{]+/g;

  constructor(private http: Http) {
    super();
  }

  async updateTrunk({ name, id }: TrunkOptions): Promise<void> {
    const s = `template ${name} {`;
    if (name) {
      this.helper(name);
    }
    [1, 2].forEach((x) => {
      console.log(x);
    });
  }

  handleClick = (e: Event) => {
    e.preventDefault();
  };

  get size(): number { return this.count; }
}

export function compute<T>(xs: T[]): number {
  return xs.length;
}

export const arrow = async (a: number): Promise<number> => {
  return a;
};

function declared(x: string): void;

Foo.prototype.bar = function (a) {
  return a;
};
'''

RUST = '''\
use std::fmt;

/// Docs with a brace {
#[derive(Debug, Clone)]
pub struct Trunk<'a> {
    name: &'a str,
}

pub trait Plugin {
    fn update_trunk(&mut self) -> bool;
    fn describe(&self) -> String {
        String::from("}")
    }
}

impl<'a> Plugin for Trunk<'a> {
    #[inline]
    #[must_use]
    fn update_trunk(&mut self) -> bool {
        let c = '{';
        let s = r#"raw "}" string"#;
        helper(self.name)
    }
}

impl<'a> fmt::Display for Trunk<'a> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.name)
    }
}

pub(crate) async fn helper<F: Fn(i32) -> i32>(name: &str) -> bool where F: Copy {
    let closure = |x: i32| { x + 1 };
    match name {
        "a" => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn it_works() {
        assert!(super::helper("a"));
    }
}
'''

RUBY = '''\
module Trunk
  class Report < Base
    attr_reader :name

    def initialize(name)
      @name = name
    end

    def compute(x)
      items.each do |i|
        puts "def fake; end"
      end
      x
    end

    def self.build(opts = {})
      new(opts[:name])
    end

    def valid? = name.present?

    class << self
      def registry
        @registry ||= {}
      end
    end

    private

    def helper; 42; end
  end
end

def top_level
  Trunk::Report.new("x")
end
'''

JAVASCRIPT = r'''
(function () {
  'use strict';
  var RE = /[{}]/g;

  function Trunk(name) {
    this.name = name;
  }

  Trunk.prototype.update = function (x) {
    return x.replace(RE, '}');
  };

  module.exports.helper = async (a, b) => {
    await a;
  };

  document.addEventListener('click', function onClick(e) {
    update(e);
  });

  class Widget extends Base {
    static create() { return new Widget(); }
    #secret() {
      return `}${this.x}{`;
    }
  }
})();
'''


@pytest.mark.parametrize(('text', 'path', 'expected'), [
    pytest.param(C, 'src/a.c', [
        ('point', 'class', 4, 6),
        ('helper', 'function', 10, 19),  # not the prototype on line 8, nor the call on 16
        ('make_point', 'function', 21, 27),  # `list_for_each(pos, head) {` is a macro call
        ('main', 'function', 29, 29),
    ], id='c'),
    pytest.param(CPP, 'src/a.cpp', [
        ('trunk', 'class', 1, 27),
        ('trunk.TrunkPlugin', 'class', 3, 15),
        ('trunk.TrunkPlugin.TrunkPlugin', 'method', 6, 6),
        ('trunk.TrunkPlugin.~TrunkPlugin', 'method', 7, 7),
        ('trunk.TrunkPlugin.update_trunk', 'method', 8, 11),  # the lambda and raw string inside
        ('trunk.TrunkPlugin.operator==', 'method', 17, 19),  # declared on 12, defined here
        ('trunk.TrunkPlugin.compute', 'method', 21, 25),
    ], id='cpp'),
    pytest.param(JAVA, 'A.java', [
        ('TrunkPlugin', 'class', 6, 41),  # from @Service
        ('TrunkPlugin.TrunkPlugin', 'method', 10, 12),
        ('TrunkPlugin.updateTrunk', 'method', 14, 28),  # two annotations, parameters on two lines
        ('TrunkPlugin.updateTrunk.run', 'function', 22, 22),  # in an anonymous class
        ('TrunkPlugin.Inner', 'class', 32, 34),
        ('TrunkPlugin.Inner.values', 'method', 33, 33),
        ('TrunkPlugin.Callback', 'class', 36, 38),  # `void call();` has no body
        ('TrunkPlugin.Color', 'class', 40, 40),
    ], id='java'),
    pytest.param(GO, 'pkg/a.go', [
        ('Server', 'class', 3, 5),
        ('Handler', 'class', 7, 9),
        ('Server.UpdateTrunk', 'method', 11, 19),  # `interface{}` in the parameters
        ('helper', 'function', 21, 21),
        ('Map', 'function', 23, 25),
        ('empty', 'function', 27, 29),
    ], id='go'),
    pytest.param(TS, 'web/a.ts', [
        ('TrunkOptions', 'class', 3, 6),
        ('TrunkPlugin', 'class', 8, 32),  # from the decorator with an object argument
        ('TrunkPlugin.constructor', 'method', 13, 15),  # not from the field above without `;`
        ('TrunkPlugin.updateTrunk', 'method', 17, 25),  # a destructured parameter, a template literal
        ('TrunkPlugin.handleClick', 'method', 27, 29),
        ('TrunkPlugin.size', 'method', 31, 31),
        ('compute', 'function', 34, 36),
        ('arrow', 'function', 38, 40),
        ('Foo.bar', 'method', 44, 46),  # the overload declaration on 42 has no body
    ], id='typescript'),
    pytest.param(JAVASCRIPT, 'web/a.js', [
        ('Trunk', 'function', 6, 8),
        ('Trunk.update', 'method', 10, 12),
        ('helper', 'function', 14, 16),
        ('Widget', 'class', 22, 27),
        ('Widget.create', 'method', 23, 23),
        ('Widget.secret', 'method', 24, 26),
    ], id='javascript'),
    pytest.param(RUST, 'src/a.rs', [
        ('Trunk', 'class', 4, 7),
        ('Plugin', 'class', 9, 14),
        ('Plugin.describe', 'method', 11, 13),  # `fn update_trunk(&mut self) -> bool;` has no body
        ('Trunk', 'class', 16, 24),
        ('Trunk.update_trunk', 'method', 17, 23),  # from the first of two attributes
        ('Trunk', 'class', 26, 30),
        ('Trunk.fmt', 'method', 27, 29),
        ('helper', 'function', 32, 38),
        ('tests', 'class', 40, 46),
        ('tests.it_works', 'function', 42, 45),
    ], id='rust'),
    pytest.param(RUBY, 'lib/report.rb', [
        ('Trunk', 'class', 1, 32),
        ('Trunk.Report', 'class', 2, 31),
        ('Trunk.Report.initialize', 'method', 5, 7),
        ('Trunk.Report.compute', 'method', 9, 14),
        ('Trunk.Report.build', 'method', 16, 18),
        ('Trunk.Report.valid?', 'method', 20, 20),
        ('Trunk.Report.registry', 'method', 23, 25),
        ('Trunk.Report.helper', 'method', 30, 30),
        ('top_level', 'function', 34, 36),
    ], id='ruby'),
])
def test_definitions(text: str, path: str, expected: list[tuple[str, str, int, int]]) -> None:
    assert defs(text, path) == expected


def test_unclosed_brace_runs_to_the_end() -> None:
    assert defs('int f(void) {\n  return 1;\n\n', 'a.c') == [('f', 'function', 1, 4)]


@pytest.mark.parametrize(('text', 'path', 'symbol', 'expected'), [
    (CPP, 'a.cpp', 'TrunkPlugin::update_trunk()', 'trunk.TrunkPlugin.update_trunk'),
    (CPP, 'a.cpp', 'trunk::TrunkPlugin::compute', 'trunk.TrunkPlugin.compute'),
    (CPP, 'a.cpp', 'TrunkPlugin::~TrunkPlugin', 'trunk.TrunkPlugin.~TrunkPlugin'),
    (CPP, 'a.cpp', 'TrunkPlugin', 'trunk.TrunkPlugin'),  # the class before its constructor
    (GO, 'a.go', '(*Server).UpdateTrunk', 'Server.UpdateTrunk'),
    (GO, 'a.go', 's.UpdateTrunk()', 'Server.UpdateTrunk'),
    (RUBY, 'a.rb', 'Report#compute', 'Trunk.Report.compute'),
    (RUBY, 'a.rb', 'Report.build', 'Trunk.Report.build'),
    (RUBY, 'a.rb', '`valid?`', 'Trunk.Report.valid?'),
    (RUST, 'a.rs', 'Trunk::update_trunk', 'Trunk.update_trunk'),
    (RUST, 'a.rs', 'self.update_trunk()', 'Trunk.update_trunk'),
    (JAVASCRIPT, 'a.js', 'this.#secret()', 'Widget.secret'),
    (JAVA, 'A.java', 'TrunkPlugin#updateTrunk(String, Map)', 'TrunkPlugin.updateTrunk'),
])
def test_find_in_other_languages(text: str, path: str, symbol: str, expected: str) -> None:
    found = symbols.find(symbols.definitions(text, path), symbol)
    assert found and found[0].qualname == expected


@pytest.mark.parametrize(('text', 'path', 'line', 'kinds', 'expected'), [
    (GO, 'a.go', 16, ('function', 'method'), 'Server.UpdateTrunk'),  # inside a closure
    (GO, 'a.go', 20, ('function', 'method'), None),
    (CPP, 'a.cpp', 9, ('function', 'method'), 'trunk.TrunkPlugin.update_trunk'),
    (CPP, 'a.cpp', 13, ('class',), 'trunk.TrunkPlugin'),
    (JAVA, 'A.java', 22, ('function', 'method'), 'TrunkPlugin.updateTrunk.run'),
    (JAVA, 'A.java', 15, ('function', 'method'), 'TrunkPlugin.updateTrunk'),  # on an annotation
    (RUBY, 'a.rb', 11, ('function', 'method'), 'Trunk.Report.compute'),
    (RUST, 'a.rs', 18, ('function', 'method'), 'Trunk.update_trunk'),
    (RUST, 'a.rs', 18, ('class',), 'Trunk'),
])
def test_innermost_in_other_languages(
        text: str, path: str, line: int, kinds: tuple[str, ...], expected: str | None,
) -> None:
    found = symbols.innermost(symbols.definitions(text, path), line, kinds)
    assert (found.qualname if found else None) == expected


@pytest.mark.parametrize(('path', 'language'), [
    ('a.py', 'python'), ('a.h', 'c'), ('a.hpp', 'cpp'), ('a.C', 'cpp'), ('A.java', 'java'),
    ('a.go', 'go'), ('a.mjs', 'javascript'), ('a.tsx', 'typescript'), ('a.rb', 'ruby'),
    ('a.rs', 'rust'), (r'dir\a.rs', 'rust'), ('Makefile', None), ('.py', None), ('a.md', None),
])
def test_language(path: str, language: str | None) -> None:
    assert symbols.language(path) == language


GREP_FILES = {
    'plugin.py': PYTHON, 'legacy.py': PYTHON2, 'src/a.c': C, 'src/a.cpp': CPP, 'A.java': JAVA,
    'a.go': GO, 'web/a.ts': TS, 'web/a.js': JAVASCRIPT, 'a.rs': RUST, 'lib/report.rb': RUBY,
}


def grep(repo: Repo, symbol: str) -> set[tuple[str, int]]:
    pattern = symbols.grep_pattern(symbol)
    assert pattern is not None
    out = repo.git('grep', '-n', '-I', '--no-color', '-E', '-e', pattern, '--', '.')
    return {(path, int(line)) for path, line, _ in (row.split(':', 2) for row in out.splitlines())}


def test_grep_pattern_finds_every_definition(repo: Repo) -> None:
    for path, text in GREP_FILES.items():
        repo.write(path, text)
    repo.commit()
    found = {(path, d) for path, text in GREP_FILES.items() for d in symbols.definitions(text, path)}
    hits = {name: grep(repo, name) for name in {d.name for _, d in found}}
    for path, d in found:
        assert any(p == path and d.start <= line <= d.end for p, line in hits[d.name]), (path, d)


@pytest.mark.parametrize(('symbol', 'missing'), [
    ('update_trunk', ('plugin.py', 21)),  # a call statement
    ('helper', ('src/a.c', 8)),  # a prototype
    ('helper', ('src/a.c', 16)),  # `return helper(x - 1);`
    ('update', ('web/a.js', 19)),  # `update(e);`
    ('compute', ('A.java', 19)),  # `return compute(name);`
])
def test_grep_pattern_skips_calls(repo: Repo, symbol: str, missing: tuple[str, int]) -> None:
    for path, text in GREP_FILES.items():
        repo.write(path, text.replace('/* a prototype: not a definition { */', ''))
    repo.commit()
    assert missing not in grep(repo, symbol)


@pytest.mark.parametrize('symbol', ['', 'not a symbol', '(x)', 'a+b', '`'])
def test_grep_pattern_needs_an_identifier(symbol: str) -> None:
    assert symbols.grep_pattern(symbol) is None


def test_grep_pattern_of_a_qualified_name_uses_the_last() -> None:
    assert symbols.grep_pattern('TrunkPlugin::update_trunk()') == symbols.grep_pattern('update_trunk')


def test_a_long_c_file() -> None:
    text = C * (5000 // C.count('\n'))
    found = symbols.definitions(text, 'big.c')
    assert len(found) == 4 * (5000 // C.count('\n'))


_SPANS = st.lists(st.tuples(st.sampled_from(['function', 'method', 'class']), st.integers(1, 40),
                            st.integers(0, 15), st.sampled_from(['f', 'C.f', 'C.D.f'])), max_size=25)


@settings(max_examples=300, deadline=None)
@given(_SPANS, st.sampled_from([('function', 'method'), ('class',), ('function', 'method', 'class')]))
def test_the_innermost_finder_answers_as_innermost(spans: list[tuple[str, int, int, str]],
                                                   kinds: tuple[str, ...]) -> None:
    defs = [Definition(qual.rsplit('.', 1)[-1], qual, kind, start, start + length)
            for kind, start, length, qual in spans]
    find = symbols.innermost_finder(defs, kinds)
    for line in range(0, 60):
        assert find(line) is symbols.innermost(defs, line, kinds)
