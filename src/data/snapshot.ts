// An in-memory copy of the catalogue rows (products, their relations, release cycles: ~10 MB for
// the whole endoflife.date corpus), read in one repeatable-read transaction and dropped on every
// change notification. Loaders hydrate from it instead of querying, and lists and reports are
// selected from it (catalog-search.ts), so the whole catalogue or a report costs no SQL statement.
//
// It is only used while the change feed is healthy: without a reliable notification, the loaders
// query the database as usual. A snapshot whose load started before a change is never published,
// and loads happen in the background: a request never waits for one (it queries instead).
import type { Database } from '../db/database.ts';
import type { ChangeFeed } from '../db/changes.ts';
import { CYCLE_COLUMNS, PRODUCT_COLUMNS, type CycleRow, type ProductRelations, type ProductRow } from './rows.ts';
import { productRelations } from './products.ts';

export interface CatalogData {
  productsById: Map<number, ProductRow>;
  /** Product ids by name and by alias (a name wins over an alias). */
  productIdByKey: Map<string, number>;
  relations: Map<number, ProductRelations>;
  cyclesByProductId: Map<number, CycleRow[]>;
  loadedAt: Date;
}

export async function loadCatalog(db: Database): Promise<CatalogData> {
  return db.transaction(async (tx) => {
    const products = await tx.query<ProductRow>(`SELECT ${PRODUCT_COLUMNS} FROM product p ORDER BY p.name COLLATE "C"`);
    const relations = await productRelations(
      tx,
      products.map((p) => p.id),
    );
    const cycles = await tx.query<CycleRow>(
      `SELECT ${CYCLE_COLUMNS} FROM release_cycle rc ORDER BY rc.product_id, rc.position`,
    );
    const productsById = new Map(products.map((p) => [p.id, p]));
    const productIdByKey = new Map<string, number>();
    for (const [id, rel] of relations) for (const alias of rel.aliases) productIdByKey.set(alias, id);
    for (const p of products) productIdByKey.set(p.name, p.id);
    const cyclesByProductId = new Map<number, CycleRow[]>();
    for (const c of cycles) {
      const list = cyclesByProductId.get(c.productId);
      if (list) list.push(c);
      else cyclesByProductId.set(c.productId, [c]);
    }
    return { productsById, productIdByKey, relations, cyclesByProductId, loadedAt: new Date() };
  }, 'REPEATABLE READ');
}

export class CatalogSnapshot {
  private generation = 0;
  private data: CatalogData | null = null;
  private loading = false;
  private timer: NodeJS.Timeout | null = null;
  private readonly unsubscribe: () => void;
  private closed = false;
  /** Completed loads (for tests and logs). */
  loads = 0;
  /** The last load failure, if the latest load failed. */
  lastError: Error | null = null;

  constructor(
    private readonly db: Database,
    private readonly feed: ChangeFeed,
    /** Changes come in bursts (an import notifies once per product): wait this long for quiet. */
    private readonly debounceMs = 100,
  ) {
    this.unsubscribe = feed.subscribe(() => this.invalidate());
  }

  /** Drops the data at once and schedules a reload. */
  invalidate(): void {
    this.generation += 1;
    this.data = null;
    this.schedule();
  }

  /**
   * The current data, or null while there is none to trust (never loaded yet, reloading after a
   * change, or the change feed is unhealthy): the caller then reads from the database. Loads run
   * in the background, never on a request's time or statement count.
   */
  current(): CatalogData | null {
    if (!this.feed.healthy) return null;
    // Load now, unless a (debounced) reload is already waiting for a burst of changes to end.
    if (!this.data && !this.timer) this.schedule(0);
    return this.data;
  }

  /** Resolves once data is loaded (tests, warm-up); null if it cannot be. */
  async ready(timeoutMs = 10_000): Promise<CatalogData | null> {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until && !this.closed) {
      const d = this.current();
      if (d) return d;
      await new Promise((r) => setTimeout(r, 20));
    }
    return null;
  }

  private schedule(delay = this.debounceMs): void {
    if (this.closed || this.loading) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.load();
    }, delay);
    this.timer.unref();
  }

  private async load(): Promise<void> {
    if (this.loading || this.closed || !this.feed.healthy) return;
    this.loading = true;
    const generation = this.generation;
    try {
      const data = await loadCatalog(this.db);
      this.loads += 1;
      this.lastError = null;
      // Published only if no change arrived while it loaded (it might predate the change).
      if (generation === this.generation && this.feed.healthy && !this.closed) this.data = data;
    } catch (err) {
      this.lastError = err as Error;
    } finally {
      this.loading = false;
    }
    if (!this.data && !this.closed && this.feed.healthy) this.schedule(this.lastError ? 1000 : this.debounceMs);
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.unsubscribe();
    this.data = null;
  }
}
