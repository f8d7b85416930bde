// Labels and changelog links (docs/eol-format.md §4.5): placeholders, Liquid as the real documents
// use it, HTML stripping, the LTS suffix, and the link rules.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { isLts } from '../../../src/domain/status.ts';
import {
  cycleLabel,
  cycleLabelHtml,
  cycleLink,
  DEFAULT_LTS_LABEL,
  renderTemplate,
  stripHtml,
  type LabelInput,
  limitHitsOf,
  type TemplateVars,
} from '../../../src/domain/templates.ts';
import { prepareDocument } from '../../../src/importer/import.ts';
import { corpusDir, noCorpus } from '../../helpers/env.ts';

const vars = (releaseCycle: string, more: Partial<TemplateVars> = {}): TemplateVars => ({
  releaseCycle,
  codename: null,
  releaseDate: null,
  latest: null,
  latestReleaseDate: null,
  cycleShortHand: null,
  latestShortHand: null,
  ...more,
});

const FULL = vars('1.2', {
  codename: 'Noble Numbat',
  releaseDate: '2024-04-25',
  latest: '1.2.7',
  latestReleaseDate: '2026-02-12',
  cycleShortHand: '102',
  latestShortHand: '10207',
});

describe('renderTemplate: placeholders', () => {
  it.each([
    ['__RELEASE_CYCLE__', '1.2'],
    ['__CODENAME__', 'Noble Numbat'],
    ['__RELEASE_DATE__', '2024-04-25'],
    ['__LATEST__', '1.2.7'],
    ['__LATEST_RELEASE_DATE__', '2026-02-12'],
    ['__CYCLE_SHORT_HAND__', '102'],
    ['__LATEST_SHORT_HAND__', '10207'],
  ])('%s → %s', (placeholder, expected) => {
    expect(renderTemplate(`x/${placeholder}/${placeholder}/y`, FULL)).toBe(`x/${expected}/${expected}/y`);
  });

  it('substitutes all of them in one template', () => {
    const t =
      'c=__RELEASE_CYCLE__ n=__CODENAME__ d=__RELEASE_DATE__ l=__LATEST__ ld=__LATEST_RELEASE_DATE__ cs=__CYCLE_SHORT_HAND__ ls=__LATEST_SHORT_HAND__';
    expect(renderTemplate(t, FULL)).toBe('c=1.2 n=Noble Numbat d=2024-04-25 l=1.2.7 ld=2026-02-12 cs=102 ls=10207');
  });

  it('a missing value becomes the empty string', () => {
    expect(
      renderTemplate(
        '[__CODENAME__|__RELEASE_DATE__|__LATEST__|__LATEST_RELEASE_DATE__|__CYCLE_SHORT_HAND__|__LATEST_SHORT_HAND__]',
        vars('9'),
      ),
    ).toBe('[|||||]');
  });

  it('plain text without placeholders or Liquid is returned as it is', () => {
    expect(renderTemplate('https://example.com/notes?a=1&b=2%', vars('1'))).toBe('https://example.com/notes?a=1&b=2%');
  });

  it.each([
    ['a block scalar with a trailing newline', 'https://example.com/__RELEASE_CYCLE__/\n', 'https://example.com/3.12/'],
    [
      'surrounding spaces and newlines',
      '  \n https://example.com/__RELEASE_CYCLE__/ \n\n',
      'https://example.com/3.12/',
    ],
    [
      'a trailing newline after Liquid',
      'https://example.com/{{ "__RELEASE_CYCLE__" | replace: ".", "-" }}/\n',
      'https://example.com/3-12/',
    ],
  ])('trims %s', (_label, template, expected) => {
    expect(renderTemplate(template, vars('3.12'))).toBe(expected);
  });
});

describe('renderTemplate: Liquid filters of real documents', () => {
  it.each<[string, string, TemplateVars, string]>([
    // ubuntu
    [
      'replace',
      `https://wiki.ubuntu.com/{{"__CODENAME__"|replace:' ',''}}/ReleaseNotes/`,
      vars('24.04', { codename: 'Noble Numbat' }),
      'https://wiki.ubuntu.com/NobleNumbat/ReleaseNotes/',
    ],
    // gitlab
    [
      'split|first and replace',
      `https://docs.gitlab.com/releases/{{ "__RELEASE_CYCLE__" | split: "." | first }}/gitlab-{{ "__RELEASE_CYCLE__" | replace: ".", "-" }}-released/`,
      vars('17.11'),
      'https://docs.gitlab.com/releases/17/gitlab-17-11-released/',
    ],
    // tomcat: pop drops the last element
    [
      'split|pop|join',
      `https://tomcat.apache.org/tomcat-{{'__LATEST__'|split:'.'|pop|join:'.'}}-doc/changelog.html`,
      vars('10.1', { latest: '10.1.34' }),
      'https://tomcat.apache.org/tomcat-10.1-doc/changelog.html',
    ],
    // ibm-aix label
    [
      'split|pop|join and split|last',
      `{{'__RELEASE_CYCLE__'|split:'.'|pop|join:'.'}} TL{{'__RELEASE_CYCLE__'|split:'.'|last}}`,
      vars('7.3.2'),
      '7.3 TL2',
    ],
    // cos label
    ['split|last', `{{'__RELEASE_CYCLE__' | split:'-' | last}}`, vars('cos-113'), '113'],
    // hop: a date split and joined
    [
      'split on a date',
      `https://hop.apache.org/blog/{{'__LATEST_RELEASE_DATE__'|split:'-'|pop|join:'/'}}/hop-__LATEST__/`,
      vars('2.9', { latest: '2.9.0', latestReleaseDate: '2024-06-18' }),
      'https://hop.apache.org/blog/2024/06/hop-2.9.0/',
    ],
    // istio, godot, wordpress: drop_zero_patch
    [
      'drop_zero_patch',
      `https://istio.io/latest/news/releases/__RELEASE_CYCLE__.x/announcing-{{'__LATEST__'|drop_zero_patch}}/`,
      vars('1.22', { latest: '1.22.0' }),
      'https://istio.io/latest/news/releases/1.22.x/announcing-1.22/',
    ],
    [
      'drop_zero_patch|replace',
      `https://wordpress.org/documentation/wordpress-version/version-{{'__LATEST__'|drop_zero_patch|replace:'.','-'}}/`,
      vars('6.5', { latest: '6.5.0' }),
      'https://wordpress.org/documentation/wordpress-version/version-6-5/',
    ],
  ])('%s', (_label, template, v, expected) => {
    expect(renderTemplate(template, v)).toBe(expected);
  });

  it('pop returns a copy without the last element (like Jekyll), the list itself is unchanged', () => {
    expect(
      renderTemplate(
        `{% assign parts = "a.b.c" | split: "." %}{{ parts | pop | join: "." }} {{ parts | join: "." }}`,
        vars('1'),
      ),
    ).toBe('a.b a.b.c');
  });

  it.each([
    ['4.3.0', '4.3'],
    ['4.0.0', '4.0'],
    ['4.0', '4.0'],
    ['4.3.1', '4.3.1'],
    ['10.0', '10.0'],
    ['4.30', '4.30'],
    ['1.2.3.0', '1.2.3'],
    ['4', '4'],
  ])('drop_zero_patch %s → %s', (version, expected) => {
    expect(renderTemplate(`{{ "__LATEST__" | drop_zero_patch }}`, vars('x', { latest: version }))).toBe(expected);
    // godot's tags: "4.3-stable", "4.0-stable"
    expect(renderTemplate(`{{'__LATEST__'|drop_zero_patch}}-stable`, vars('x', { latest: version }))).toBe(
      `${expected}-stable`,
    );
  });

  it.each([
    // split|first|plus:0 makes a number: 100 >= 27 and 3 < 27 numerically (as strings both would be the other way)
    ['29', '29.7.2', 'https://docs.docker.com/engine/release-notes/29/#2972'],
    ['27', '27.5.1', 'https://docs.docker.com/engine/release-notes/27/#2751'],
    ['26.1', '26.1.5', 'https://docs.docker.com/engine/release-notes/26.1/#2615'],
    ['100.1', '100.1.0', 'https://docs.docker.com/engine/release-notes/100/#10010'],
    ['3.0', '3.0.1', 'https://docs.docker.com/engine/release-notes/3.0/#301'],
  ])('numeric comparison in if/else (docker-engine style): %s', (cycle, latest, expected) => {
    const template =
      'https://docs.docker.com/engine/release-notes/{% assign Major = "__RELEASE_CYCLE__" | split:"." |first| plus:0 %}{% if Major >= 27 %}{{Major}}{%else%}__RELEASE_CYCLE__{%endif%}/#{{"__LATEST__"|replace:".",""}}\n';
    expect(renderTemplate(template, vars(cycle, { latest }))).toBe(expected);
  });

  it('an undefined variable renders empty (mongodb: r.codename does not exist)', () => {
    const template = '__RELEASE_CYCLE__{%if r.codename %} ({{r.codename}}){%endif%}';
    expect(renderTemplate(template, vars('8.0', { codename: 'ignored' }))).toBe('8.0');
    expect(renderTemplate('[{{ nothing }}]', vars('8.0'))).toBe('[]');
  });

  it("reads a quote right after an empty string as Ruby Liquid's lax parser does (visual-cobol.md)", () => {
    const template =
      "https://www.microfocus.com/documentation/visual-cobol/vc{{'__RELEASE_CYCLE__' | replace: '.','''}}/";
    expect(renderTemplate(template, vars('10.0'))).toBe('https://www.microfocus.com/documentation/visual-cobol/vc100/');
    expect(renderTemplate('{{ "a.b" | replace: ".",""" }}', vars('1'))).toBe('ab');
  });

  it.each([
    ['an unclosed tag', '{% if x'],
    ['an unclosed output', 'https://x/{{ "__LATEST__" '],
    ['an unknown tag', '{% frobnicate %}'],
    ['an unmatched endif', '__RELEASE_CYCLE__{% endif %}'],
  ])('a broken template (%s) renders as null', (_label, template) => {
    expect(renderTemplate(template, vars('1.0', { latest: '1.0.1' }))).toBeNull();
  });

  it.each([
    ['a loop over a huge range with output', '{% for i in (1..100000000) %}x{% endfor %}'],
    // within the memory limit, but ~12 s of work without the time limit
    [
      'nested loops doing arithmetic',
      '{% for i in (1..900) %}{% for j in (1..900) %}{% assign x = j | plus: i | minus: 1 | times: 2 %}{% if x > 5 %}{% endif %}{% endfor %}{% endfor %}',
    ],
  ])('a pathological template (%s) is cut off: null, quickly', (_label, template) => {
    const started = performance.now();
    expect(renderTemplate(template, vars('1'))).toBeNull();
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});

describe.skipIf(noCorpus('the sles and docker-engine changelog templates'))(
  'renderTemplate: the changelog templates of sles and docker-engine, read from the corpus',
  () => {
    const changelogTemplate = (product: string): string => {
      const path = join(corpusDir, `${product}.md`);
      const { doc } = prepareDocument(readFileSync(path), path, { maxBytes: 1e6, maxYamlNodes: 1e5 }, '2026-08-22');
      if (!doc?.changelogTemplate) throw new Error(`${path} has no changelogTemplate`);
      return doc.changelogTemplate;
    };

    it.each([
      ['16.0', 'https://documentation.suse.com/releasenotes/sles/16.0/'],
      ['15.7', 'https://www.suse.com/releasenotes/x86_64/SUSE-SLES/15-SP7/'],
      ['15.0', 'https://www.suse.com/releasenotes/x86_64/SUSE-SLES/15/'],
      ['12.5', 'https://www.suse.com/releasenotes/x86_64/SUSE-SLES/12-SP5/'],
      // numerically 9 < 16 (as strings "9" > "16")
      ['9.4', 'https://www.suse.com/releasenotes/x86_64/SUSE-SLES/9-SP4/'],
    ])('sles %s → %s', (cycle, expected) => {
      expect(renderTemplate(changelogTemplate('sles'), vars(cycle))).toBe(expected);
    });

    it('docker-engine: the template is a block scalar with a trailing newline', () => {
      expect(changelogTemplate('docker-engine').endsWith('\n')).toBe(true);
    });

    it.each([
      ['29', '29.7.2', 'https://docs.docker.com/engine/release-notes/29/#2972'],
      ['28', '28.5.2', 'https://docs.docker.com/engine/release-notes/28/#2852'],
      ['27', '27.5.1', 'https://docs.docker.com/engine/release-notes/27/#2751'],
      ['26.1', '26.1.5', 'https://docs.docker.com/engine/release-notes/26.1/#2615'],
      // numerically 100 >= 27 (as strings "100" < "27")
      ['100.1', '100.1.0', 'https://docs.docker.com/engine/release-notes/100/#10010'],
    ])('docker-engine %s (latest %s) → %s', (cycle, latest, expected) => {
      expect(renderTemplate(changelogTemplate('docker-engine'), vars(cycle, { latest }))).toBe(expected);
    });
  },
);

describe('renderTemplate: a template that runs into the time or memory limit', () => {
  // A billion loop iterations: past the time limit (200 ms) or the memory limit (the ranges).
  const BOMB =
    'R__RELEASE_CYCLE__{% for i in (1..1000) %}{% for j in (1..1000) %}{% for k in (1..1000) %}{% endfor %}{% endfor %}{% endfor %}';

  it('renders as null, is tried twice, and is not tried again for any cycle', () => {
    expect(renderTemplate(BOMB, vars('1'))).toBeNull();
    expect(limitHitsOf(BOMB)).toBe(1);
    // One time-out may be the machine's doing: the next cycle tries again.
    expect(renderTemplate(BOMB, vars('2'))).toBeNull();
    expect(limitHitsOf(BOMB)).toBe(2);
    // Given up: further cycles and the same ones again are null without rendering (a render would
    // fail and count a third time).
    for (const cycle of ['1', '2', '3', '4']) expect(renderTemplate(BOMB, vars(cycle))).toBeNull();
    expect(limitHitsOf(BOMB)).toBe(2);
    // The label falls back to the cycle name; other templates are unaffected.
    expect(
      cycleLabel({ vars: vars('5'), template: BOMB, ltsLabel: null, lts: { flag: null, from: null }, isLts: false }),
    ).toBe('5');
    expect(renderTemplate('v__RELEASE_CYCLE__{{ "x" | upcase }}', vars('5'))).toBe('v5X');

    // Ten minutes later it is tried again (a fine template may have met two long pauses).
    const later = vi.spyOn(Date, 'now').mockReturnValue(Date.now() + 10 * 60_000 + 1);
    try {
      expect(renderTemplate(BOMB, vars('6'))).toBeNull();
      expect(limitHitsOf(BOMB)).toBe(1);
    } finally {
      later.mockRestore();
    }
  });
});

describe('stripHtml', () => {
  it.each([
    ['<abbr title="Short Term Support">STS</abbr>', 'STS'],
    ["20 (<abbr title='Short Term Support'>STS</abbr>)", '20 (STS)'],
    ['a<script>alert("<b>x</b>")</script>b', 'ab'],
    ['a<style>.x { color: red }</style>b', 'ab'],
    ['a<!-- <b>hidden</b> -->b', 'ab'],
    ['a<!--\nmulti\nline\n-->b', 'ab'],
    ['<span\ntitle="x">y</span>', 'y'],
    // no entity decoding, no whitespace normalisation
    ['Tom &amp; Jerry &lt;3', 'Tom &amp; Jerry &lt;3'],
    ['a  <b>b</b>  c', 'a  b  c'],
    // a literal "<" without a closing ">" is not a tag (sles' "MajorReleaseCycle < 16")
    ['SLES 12 < 16', 'SLES 12 < 16'],
    ['a <', 'a <'],
    // …but like Ruby's /<.*?>/m, everything from "<" to the next ">" goes
    ['1 < 2 > 0', '1  0'],
    ['plain', 'plain'],
    ['', ''],
  ])('%j → %j', (input, expected) => {
    expect(stripHtml(input)).toBe(expected);
  });
});

describe('cycleLabel', () => {
  const input = (over: Partial<LabelInput> & { vars: TemplateVars }): LabelInput => ({
    template: null,
    ltsLabel: null,
    lts: { flag: null, from: null },
    isLts: false,
    ...over,
  });

  it('without a template the label is the cycle name', () => {
    expect(cycleLabel(input({ vars: vars('3.12') }))).toBe('3.12');
  });

  it('renders the template given (the caller passes the release one before the product one)', () => {
    expect(cycleLabel(input({ vars: vars('8.2'), template: '8.2 (Rapid Release)' }))).toBe('8.2 (Rapid Release)');
    expect(cycleLabel(input({ vars: vars('8.2'), template: 'v__RELEASE_CYCLE__' }))).toBe('v8.2');
  });

  it('a broken template falls back to the cycle name', () => {
    expect(cycleLabel(input({ vars: vars('8.2'), template: '{% if %}' }))).toBe('8.2');
  });

  it('mongodb: an undefined variable gives just the cycle', () => {
    const template = '__RELEASE_CYCLE__{%if r.codename %} ({{r.codename}}){%endif%}';
    expect(cycleLabel(input({ vars: vars('8.0', { codename: 'x' }), template }))).toBe('8.0');
  });

  it('ubuntu: codename template and LTS', () => {
    const label = input({
      vars: vars('24.04', { codename: 'Noble Numbat' }),
      template: "__RELEASE_CYCLE__ '__CODENAME__'",
      lts: { flag: true, from: null },
      isLts: true,
    });
    expect(cycleLabel(label)).toBe("24.04 'Noble Numbat' (LTS)");
    expect(cycleLabelHtml(label)).toBe(`24.04 'Noble Numbat' (${DEFAULT_LTS_LABEL})`);
  });

  it.each([
    ['lts true', { flag: true, from: null }, true, '22 (LTS)'],
    ['lts false', { flag: false, from: null }, false, '22'],
    ['lts absent', { flag: null, from: null }, false, '22'],
  ])('%s → %s', (_label, lts, lts2, expected) => {
    expect(cycleLabel(input({ vars: vars('22'), lts, isLts: lts2 }))).toBe(expected);
  });

  it.each([
    ["<abbr title='Extended Support Release'>ESR</abbr>", '115 (ESR)'],
    ['CE', '115 (CE)'],
    ['<abbr title="Long Term Release">LTR</abbr>', '115 (LTR)'],
  ])('a custom LTSLabel %j → %s', (ltsLabel, expected) => {
    expect(cycleLabel(input({ vars: vars('115'), ltsLabel, lts: { flag: true, from: null }, isLts: true }))).toBe(
      expected,
    );
  });

  it.each([
    // nodejs 26: lts 2026-10-28
    ['2026-08-22', '26 (Upcoming LTS)'],
    ['2026-10-27', '26 (Upcoming LTS)'],
    ['2026-10-28', '26 (Upcoming LTS)'],
    ['2026-10-29', '26 (LTS)'],
  ])('an lts date on %s → %s', (asOf, expected) => {
    const lts = { flag: null, from: '2026-10-28' };
    expect(cycleLabel(input({ vars: vars('26'), lts, isLts: isLts({ lts }, asOf) }))).toBe(expected);
  });

  it('the upcoming LTS suffix keeps its date in the HTML label', () => {
    const lts = { flag: null, from: '2026-10-28' };
    expect(cycleLabelHtml(input({ vars: vars('26'), lts, isLts: false }))).toBe(
      `26 (<span title="2026-10-28">Upcoming</span> ${DEFAULT_LTS_LABEL})`,
    );
    expect(cycleLabel(input({ vars: vars('26'), lts, isLts: false, ltsLabel: 'ESR' }))).toBe('26 (Upcoming ESR)');
  });

  it('HTML is stripped from the template (azul-zulu)', () => {
    expect(cycleLabel(input({ vars: vars('20'), template: '20 (<abbr title="Short Term Support">STS</abbr>)' }))).toBe(
      '20 (STS)',
    );
  });
});

describe('cycleLink', () => {
  const V = vars('24.04', { codename: 'Noble Numbat', latest: '24.04.4' });
  const PRODUCT_TEMPLATE = 'https://example.com/__RELEASE_CYCLE__/#__LATEST__';

  it.each<[string, { linkSet: boolean; link: string | null }, string | null, string | null]>([
    [
      'a release link with "__" is rendered',
      { linkSet: true, link: 'https://r.example/__LATEST__' },
      PRODUCT_TEMPLATE,
      'https://r.example/24.04.4',
    ],
    [
      'a release link with "__" and Liquid is rendered',
      { linkSet: true, link: `https://r.example/{{'__LATEST__'|split:'.'|first}}` },
      null,
      'https://r.example/24',
    ],
    [
      'a plain release link is kept verbatim',
      { linkSet: true, link: 'https://r.example/notes' },
      PRODUCT_TEMPLATE,
      'https://r.example/notes',
    ],
    [
      'a plain release link with "{{" is not Liquid-rendered',
      { linkSet: true, link: "https://r.example/{{ 'x' | upcase }}" },
      PRODUCT_TEMPLATE,
      "https://r.example/{{ 'x' | upcase }}",
    ],
    [
      'an explicit null link means no link, even with a template',
      { linkSet: true, link: null },
      PRODUCT_TEMPLATE,
      null,
    ],
    [
      'no link key: the product template is rendered',
      { linkSet: false, link: null },
      PRODUCT_TEMPLATE,
      'https://example.com/24.04/#24.04.4',
    ],
    [
      'no link key: ubuntu template with Liquid',
      { linkSet: false, link: null },
      `https://wiki.ubuntu.com/{{"__CODENAME__"|replace:' ',''}}/ReleaseNotes/`,
      'https://wiki.ubuntu.com/NobleNumbat/ReleaseNotes/',
    ],
    ['neither a link nor a template → null', { linkSet: false, link: null }, null, null],
    ['a broken template → null', { linkSet: false, link: null }, 'https://x/{% if %}', null],
  ])('%s', (_label, release, template, expected) => {
    expect(cycleLink(release, template, V)).toBe(expected);
  });
});
