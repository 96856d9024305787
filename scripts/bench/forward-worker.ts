/**
 * @module The forward-only Worker: the end-to-end baseline. Same runtime (workerd), same backend, no routing: a
 * bare `fetch` of the request's path and query on a fixed origin. The gateway's CPU per request is compared with
 * this one's, so everything the runtime costs for a subrequest cancels out.
 */

interface ForwardEnv {
  /** e.g. `http://127.0.0.1:8080` */
  BACKEND_ORIGIN: string;
}

export default {
  fetch(request: Request, env: ForwardEnv): Promise<Response> {
    const url = new URL(request.url);
    return fetch(new Request(new URL(`${url.pathname}${url.search}`, env.BACKEND_ORIGIN), request));
  },
};
