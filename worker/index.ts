import { Hono } from "hono";
const app = new Hono();
app.all("*", (c) => c.text("hello"));
export default app;
