// What the GraphQL types resolve from. A node carries its row and the date its computed fields are
// evaluated on (each root field may ask for its own asOf, so the date travels with the data, not
// in the request context). Plain fields are getters, so graphql's default resolver reads them;
// fields that need other rows (the product, relations) are in the resolvers.
import { supportFieldsOf, type CycleRow, type ProductRow } from '../data/rows.ts';
import {
  daysUntil,
  isLts,
  isMaintained,
  isReached,
  isReleased,
  supportPhase,
  type DateOrBoolValue,
  type SupportFields,
  type SupportPhase,
} from '../domain/status.ts';
import { cycleLabel, cycleLink, stripHtml, type TemplateVars } from '../domain/templates.ts';

export class ProductNode {
  constructor(
    readonly row: ProductRow,
    readonly asOf: string,
  ) {}
  get id() {
    return this.row.id;
  }
  get name() {
    return this.row.name;
  }
  get label() {
    return this.row.label;
  }
  get category() {
    return this.row.category;
  }
  get iconSlug() {
    return this.row.iconSlug;
  }
  get versionCommand() {
    return this.row.versionCommand;
  }
  get releasePolicyLink() {
    return this.row.releasePolicyLink;
  }
  get changelogTemplate() {
    return this.row.changelogTemplate;
  }
  get addedAt() {
    return this.row.addedAt;
  }
  get updatedAt() {
    return this.row.updatedAt;
  }
  get columns() {
    const r = this.row;
    const col = (shown: boolean, label: string | null, fallback: string) => ({ shown, label: label ?? fallback });
    return {
      releaseDate: col(r.releaseDateColumn, r.releaseDateLabel, 'Released'),
      latest: col(r.latestColumn, r.latestLabel, 'Latest'),
      eoas: col(r.eoasColumn, r.eoasLabel, 'Active Support'),
      eol: col(r.eolColumn, r.eolLabel, 'Security Support'),
      eoes: col(r.eoesColumn, r.eoesLabel, 'Extended Support'),
      discontinued: col(r.discontinuedColumn, r.discontinuedLabel, 'Discontinued'),
    };
  }
  /** endoflife.date API v1 `labels`: HTML-stripped heading, or null when the column is off. */
  get labels() {
    const c = this.columns;
    const label = (x: { shown: boolean; label: string }) => (x.shown ? stripHtml(x.label) : null);
    return { eoas: label(c.eoas), discontinued: label(c.discontinued), eol: label(c.eol), eoes: label(c.eoes) };
  }
  get importWarnings(): { path: string; message: string; line?: number }[] {
    try {
      const w: unknown = JSON.parse(this.row.warnings);
      return Array.isArray(w) ? w.filter((x) => x && typeof x.path === 'string' && typeof x.message === 'string') : [];
    } catch {
      return [];
    }
  }
}

// What a cycle row and its product's row give together (labels, links) is kept beside the row
// in the same way (src/data/rows.ts): on the whole catalogue this saves rendering ~8,000 labels
// and links per request.
interface Derived {
  product: ProductRow;
  labels: [string | undefined, string | undefined]; // [not LTS, LTS]
  link?: string | null;
  latest?: { name: string | null; date: string | null; link: string | null } | null;
}
const derivedOfRow = new WeakMap<CycleRow, Derived>();
function derivedOf(row: CycleRow, product: ProductRow): Derived {
  let d = derivedOfRow.get(row);
  if (!d || d.product !== product) {
    d = { product, labels: [undefined, undefined] };
    derivedOfRow.set(row, d);
  }
  return d;
}

const nodeOfRow = new WeakMap<CycleRow, CycleNode>();
const nodesOfRows = new WeakMap<readonly CycleRow[], { asOf: string; productRow: ProductRow; nodes: CycleNode[] }>();

export class CycleNode implements SupportFields {
  readonly lts: DateOrBoolValue;
  readonly eoas: DateOrBoolValue;
  readonly eol: DateOrBoolValue;
  readonly eoes: DateOrBoolValue;
  readonly discontinued: DateOrBoolValue;

  constructor(
    readonly row: CycleRow,
    readonly asOf: string,
    /** The product's row: label and latest need it (optional for tests of the other fields). */
    readonly productRow: ProductRow | null = null,
  ) {
    const f = supportFieldsOf(row);
    this.lts = f.lts;
    this.eoas = f.eoas;
    this.eol = f.eol;
    this.eoes = f.eoes;
    this.discontinued = f.discontinued;
  }

  /**
   * The nodes of a product's rows (as the loader returns them: the same array while the data is
   * unchanged) on asOf: the array made last time when rows, date and product row match. Frozen
   * (callers share it; typed mutable only because the generated resolver types want arrays).
   */
  static ofAll(rows: readonly CycleRow[], asOf: string, productRow: ProductRow): CycleNode[] {
    const last = nodesOfRows.get(rows);
    if (last && last.asOf === asOf && last.productRow === productRow) return last.nodes;
    const nodes = Object.freeze(rows.map((r) => CycleNode.of(r, asOf, productRow))) as CycleNode[];
    nodesOfRows.set(rows, { asOf, productRow, nodes });
    return nodes;
  }

  /** A node for row on asOf: the last one made for this row when it matches (nodes are immutable). */
  static of(row: CycleRow, asOf: string, productRow: ProductRow | null = null): CycleNode {
    const last = nodeOfRow.get(row);
    if (last && last.asOf === asOf && last.productRow === productRow) return last;
    const node = new CycleNode(row, asOf, productRow);
    nodeOfRow.set(row, node);
    return node;
  }

  get productId() {
    return this.row.productId;
  }
  get name() {
    return this.row.name;
  }
  get slug() {
    return this.row.name.replace(/\//g, '-');
  }
  get position() {
    return this.row.position;
  }
  get codename() {
    return this.row.codename;
  }
  get releaseDate() {
    return this.row.releaseDate;
  }
  get isReleased() {
    return isReleased(this.row.releaseDate, this.asOf);
  }
  get outOfOrder() {
    return this.row.outOfOrder;
  }
  get isLts() {
    return isLts(this, this.asOf);
  }
  get ltsFrom() {
    return this.row.ltsFrom;
  }
  get isEoas() {
    return isReached(this.eoas, this.asOf);
  }
  get eoasFrom() {
    return this.row.eoasFrom;
  }
  get isEol() {
    return isReached(this.eol, this.asOf);
  }
  get eolFrom() {
    return this.row.eolFrom;
  }
  get isEoes() {
    return isReached(this.eoes, this.asOf);
  }
  get eoesFrom() {
    return this.row.eoesFrom;
  }
  get isDiscontinued() {
    return isReached(this.discontinued, this.asOf);
  }
  get discontinuedFrom() {
    return this.row.discontinuedFrom;
  }
  get isMaintained() {
    return isMaintained(this, this.asOf);
  }
  get daysUntilEol() {
    return daysUntil(this.row.eolFrom, this.asOf);
  }
  get supportPhase(): SupportPhase {
    return supportPhase(this, this.asOf);
  }

  get templateVars(): TemplateVars {
    const r = this.row;
    return {
      releaseCycle: r.name,
      codename: r.codename,
      releaseDate: r.releaseDate,
      latest: r.latest,
      latestReleaseDate: r.latestReleaseDate,
      cycleShortHand: r.cycleShortHand,
      latestShortHand: r.latestShortHand,
    };
  }

  // label and latest are plain fields, not resolvers: graphql-jit reads a plain field inline,
  // while each resolver call builds a resolve-info object and its path (two calls per cycle,
  // 16,700 on the whole catalogue). They need the product's row, which every node made by
  // src/graphql/catalog.ts carries.
  // Kept on the node too: a node is made once per row, date and product row (CycleNode.of), so on
  // the next request for the same day these are a field read.
  #label: string | undefined;
  #latest: { name: string | null; date: string | null; link: string | null } | null | undefined;
  get label(): string {
    return (this.#label ??= this.labelFor(this.product()));
  }
  get latest(): { name: string | null; date: string | null; link: string | null } | null {
    if (this.#latest === undefined) this.#latest = this.latestFor(this.product());
    return this.#latest;
  }
  private product(): ProductRow {
    if (!this.productRow) throw new Error(`release cycle ${this.row.name} was made without its product's row`);
    return this.productRow;
  }

  /** The label (template, LTS suffix, HTML removed); needs the product's templates. */
  labelFor(product: ProductRow): string {
    const isLts = this.isLts;
    const d = derivedOf(this.row, product);
    const i = isLts ? 1 : 0;
    return (d.labels[i] ??= cycleLabel({
      vars: this.templateVars,
      template: this.row.releaseLabel ?? product.releaseLabel,
      ltsLabel: product.ltsLabel,
      lts: this.lts,
      isLts,
    }));
  }

  /** API v1 `latest`: null when the product hides the latest column. */
  latestFor(product: ProductRow): { name: string | null; date: string | null; link: string | null } | null {
    const d = derivedOf(this.row, product);
    if (d.latest === undefined) {
      d.latest = product.latestColumn
        ? { name: this.row.latest, date: this.row.latestReleaseDate, link: this.linkFor(product) }
        : null;
    }
    return d.latest;
  }

  linkFor(product: ProductRow): string | null {
    const d = derivedOf(this.row, product);
    if (d.link === undefined) d.link = cycleLink(this.row, product.changelogTemplate, this.templateVars);
    return d.link;
  }

  /** Declared custom fields with this cycle's values (dates and numbers as text). */
  customFor(declared: readonly { name: string }[]): { name: string; value: string | null }[] | null {
    if (declared.length === 0) return null;
    let values: Record<string, unknown> = {};
    if (this.row.custom) {
      try {
        values = JSON.parse(this.row.custom) as Record<string, unknown>;
      } catch {
        values = {};
      }
    }
    return declared.map((f) => {
      const v = values[f.name];
      return {
        name: f.name,
        value: v === null || v === undefined ? null : typeof v === 'string' ? v : JSON.stringify(v),
      };
    });
  }
}
