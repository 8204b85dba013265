/** Module boundaries of the Worker (src/), checked in CI by `npm run lint:deps`. */
module.exports = {
  forbidden: [
    { name: "no-cycles", severity: "error", comment: "An import cycle hides which file owns what.", from: {}, to: { circular: true } },
    {
      name: "lib-and-db-stand-alone",
      severity: "error",
      comment: "lib/ and db/ are the foundation: they know no domain module, job or realtime code.",
      from: { path: "^src/(lib|db)/" },
      to: { path: "^src/(modules|jobs|realtime)/" },
    },
    {
      name: "modules-below-jobs-and-realtime",
      severity: "error",
      comment: "Jobs and the Durable Object call into modules, never the other way round; the jobs' public contract (message types, job names, enqueueing) excepted.",
      from: { path: "^src/modules/" },
      to: { path: "^src/(jobs|realtime)/", pathNot: "^src/jobs/(messages|cron-table|enqueue)\\.ts$" },
    },
    {
      name: "orders-know-no-payments",
      severity: "error",
      comment: "Payments build on orders; what orders needs from payments is wired in by the app (createOrdersRouter).",
      from: { path: "^src/modules/orders/" },
      to: { path: "^src/modules/payments/" },
    },
    {
      name: "payments-use-order-commands",
      severity: "error",
      comment: "Payments changes orders only through the commands orders exposes, never its internals.",
      from: { path: "^src/modules/payments/" },
      to: { path: "^src/modules/orders/", pathNot: "^src/modules/orders/order-commands\\.ts$" },
    },
    {
      name: "no-orphans",
      severity: "error",
      comment: "A file nothing imports is dead code (the Worker's entry excepted).",
      from: { orphan: true, pathNot: "^src/index\\.ts$|\\.d\\.ts$" },
      to: {},
    },
  ],
  options: {
    parser: "swc",
    tsConfig: { fileName: "tsconfig.json" },
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(node_modules|test|web|bench|scripts|tools)/" },
  },
};
