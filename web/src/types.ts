// Shapes of the API's JSON (see /api/schema/).

export type Role = "client" | "worker" | "admin";

/** A user as others see them: no contact fields. */
export interface PublicUser {
  id: number;
  username: string;
  first_name: string;
  last_name: string;
  role: Role;
}

/** The signed-in user's own profile (and the other party of an order once a worker is assigned). */
export interface User extends PublicUser {
  email: string;
  phone: string;
}

export interface Tokens {
  access: string;
  refresh: string;
}

export interface Page<T> {
  count: number;
  next: string | null;
  previous: string | null;
  results: T[];
}

export interface Category {
  id: number;
  name: string;
  description: string;
  icon: string;
}

export interface Service {
  id: number;
  name: string;
  description: string;
  category: Category;
  base_price: string;
  duration_hours: number;
  is_active: boolean;
  worker: PublicUser;
}

export type OrderStatus = "pending" | "paid" | "in_progress" | "completed" | "canceled";

export interface Order {
  id: number;
  service: Service;
  client: PublicUser | User;
  worker: PublicUser | User | null;
  description: string;
  /** null while a worker browses an open order it is not assigned to. */
  address: string | null;
  scheduled_date: string;
  quantity: number;
  total_price: string;
  status: OrderStatus;
  status_history: { id: number; status: OrderStatus; comment: string; created_by: PublicUser | User | null; created_at: string }[];
  created_at: string;
  completed_at: string | null;
}

export interface Payment {
  id: string;
  order: number;
  user: number;
  amount: string;
  currency: string;
  payment_method: string;
  status: string;
  failure_code: string | null;
  failure_message: string | null;
  refunded_amount: string;
  created_at: string;
}

export interface Notification {
  id: number;
  type: string;
  notification_type: string | null;
  order_id: number | null;
  message: string;
  read: boolean;
  created_at: string;
}
