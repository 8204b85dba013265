// Accepts queue sends (workerd's queue binding POSTs /message and /batch) and drops them,
// answering the way Miniflare's broker does, so `env.JOBS.send()` resolves.
export default {
  async fetch(request) {
    await request.arrayBuffer();
    return Response.json({ metadata: { metrics: { backlogCount: 0, backlogBytes: 0, oldestMessageTimestamp: 0 } } });
  },
};
