// The in-browser explorer: GraphiQL 3 and React 18 served from node_modules (their UMD builds), so
// it works offline and loads nothing from a CDN. Opens with example queries for each kind of user.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

interface Asset {
  type: string;
  body: Buffer;
}

// react and react-dom ship their UMD builds but leave them out of package.json "exports", so
// require.resolve refuses those subpaths: resolve the package (its package.json is exported) and
// read the file from its directory.
const file = (pkg: string, path: string, type: string): (() => Asset) => {
  let cached: Asset | null = null;
  return () => (cached ??= { type, body: readFileSync(join(dirname(require.resolve(`${pkg}/package.json`)), path)) });
};

export const EXAMPLES: { title: string; query: string; variables?: string }[] = [
  {
    title: 'Product page',
    query: `# A frontend's product page: the support table of one product.
# asOf is optional everywhere: leave it out for today, or ask about any date.
query ProductPage($name: String!, $asOf: Date) {
  product(name: $name, asOf: $asOf) {
    label
    category
    releasePolicyLink
    columns { eoas { shown label } eol { shown label } eoes { shown label } latest { shown label } }
    releases {
      name
      label
      releaseDate
      supportPhase
      isMaintained
      eoasFrom
      eolFrom
      eoesFrom
      latest { name date link }
    }
  }
}`,
    variables: '{ "name": "nodejs" }',
  },
  {
    title: 'EOL in the next 90 days',
    query: `# A dashboard: every release cycle, of any product, whose end of life falls in the next 90 days.
query EolSoon($asOf: Date) {
  releaseCycles(filter: { eolWithinDays: 90 }, orderBy: { field: EOL_FROM }, first: 500, asOf: $asOf) {
    totalCount
    nodes {
      product { name label category }
      name
      eolFrom
      daysUntilEol
      isMaintained
      supportPhase
    }
  }
}`,
  },
  {
    title: 'Supported on a date',
    query: `# What was maintained on a given date (the computed fields follow asOf).
query SupportedOn($asOf: Date!) {
  releaseCycles(filter: { isReleased: true, isMaintained: true, products: ["ubuntu", "python"] }, asOf: $asOf) {
    nodes { product { name } name label releaseDate eolFrom supportPhase }
  }
  amazonLinux2: releaseCycle(product: "amazon-linux", name: "Amazon Linux 2", asOf: $asOf) {
    name isMaintained eolFrom
  }
}`,
    variables: '{ "asOf": "2024-01-15" }',
  },
  {
    title: 'Which cycle is this version?',
    query: `query Scanner($asOf: Date) {
  resolveVersion(product: "nodejs", version: "v20.11.1", asOf: $asOf) { name isEol eolFrom }
  productByIdentifier(identifier: "pkg:npm/%40angular/core@17.0.1") { name label }
  today
}`,
  },
];

const page = () => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>eolgraph explorer</title>
<link rel="stylesheet" href="/explorer/graphiql.min.css">
<style>html, body, #explorer { height: 100%; margin: 0; }</style>
</head>
<body>
<div id="explorer">Loading the explorer…</div>
<script src="/explorer/react.production.min.js"></script>
<script src="/explorer/react-dom.production.min.js"></script>
<script src="/explorer/graphiql.min.js"></script>
<script src="/explorer/explorer.js"></script>
</body>
</html>
`;

const init = () => `(function () {
  var examples = ${JSON.stringify(EXAMPLES)};
  var fetcher = GraphiQL.createFetcher({ url: location.origin + '/graphql' });
  var root = ReactDOM.createRoot(document.getElementById('explorer'));
  root.render(React.createElement(GraphiQL, {
    fetcher: fetcher,
    defaultEditorToolsVisibility: true,
    defaultTabs: examples.map(function (e) { return { query: e.query, variables: e.variables }; }),
  }));
})();
`;

const assets: Record<string, () => Asset> = {
  'react.production.min.js': file('react', 'umd/react.production.min.js', 'text/javascript; charset=utf-8'),
  'react-dom.production.min.js': file('react-dom', 'umd/react-dom.production.min.js', 'text/javascript; charset=utf-8'),
  'graphiql.min.js': file('graphiql', 'graphiql.min.js', 'text/javascript; charset=utf-8'),
  'graphiql.min.css': file('graphiql', 'graphiql.min.css', 'text/css; charset=utf-8'),
};

let explorerJs: Asset | null = null;

export function explorerPage(): Asset {
  return { type: 'text/html; charset=utf-8', body: Buffer.from(page()) };
}

export function explorerAsset(name: string): Asset | null {
  if (name === 'explorer.js')
    return (explorerJs ??= { type: 'text/javascript; charset=utf-8', body: Buffer.from(init()) });
  return assets[name]?.() ?? null;
}
