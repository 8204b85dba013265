// The floor: the smallest Hono Worker, served by the same workerd in the same run.
import { Hono } from "hono";

export default new Hono().get("*", (c) => c.text("ok"));
