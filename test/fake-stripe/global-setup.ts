import type { TestProject } from "vitest/node";
import { startFakeStripe } from "./server";

declare module "vitest" {
  export interface ProvidedContext {
    fakeStripePort: number;
  }
}

/** Starts the fake Stripe server once per run; tests read its port with `inject("fakeStripePort")`. */
export default async function setup(project: TestProject) {
  const { server, port } = await startFakeStripe();
  project.provide("fakeStripePort", port);
  return () => new Promise<void>((resolve) => server.close(() => resolve()));
}
