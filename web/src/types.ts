// Shapes of the API's JSON, from the OpenAPI document (openapi/schema.d.ts is generated from it).
import type { components } from "../../openapi/schema";

type Schemas = components["schemas"];

/** The signed-in user's own profile (and the other party of an order once a worker is assigned). */
export type User = Schemas["User"];
export type Role = User["role"];
export type Tokens = Schemas["TokenPair"];
/** The links every paginated list has. */
export type PageLinks = Pick<Schemas["OrderPage"], "next" | "previous">;
export type Service = Schemas["Service"];
export type Order = Schemas["Order"];
export type OrderStatus = Order["status"];
export type Payment = Schemas["Payment"];
export type Notification = Schemas["Notification"];
export type OrderListItem = Schemas["OrderListItem"];
export type OrderMessage = Schemas["OrderMessage"];
export type OrderStatusEntry = Schemas["OrderStatusHistory"];
