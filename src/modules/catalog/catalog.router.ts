import { ctxOf } from "../../context";
import { currentUser } from "../../lib/auth";
import { createRouter } from "../../lib/openapi";
import { pageRequest } from "../../lib/pagination";
import {
  createCategoryRoute,
  createServiceRoute,
  deleteCategoryRoute,
  deleteServiceRoute,
  getServiceRoute,
  listCategoriesRoute,
  listServicesRoute,
  patchCategoryRoute,
  patchServiceRoute,
  putCategoryRoute,
  putServiceRoute,
} from "./catalog.routes";
import { createCategory, deleteCategory, listCategories, updateCategory } from "./categories.service";
import { createService, deactivateService, getService, listServices, updateService } from "./services.service";

// Categories are registered before `/api/services/{id}/` so "categories" is never parsed as an id.
export const catalogRouter = createRouter()
  .openapi(listCategoriesRoute, async (c) =>
    c.json(await listCategories(ctxOf(c), c.req.url, pageRequest(c.req.valid("query"))), 200),
  )
  .openapi(createCategoryRoute, async (c) => c.json(await createCategory(ctxOf(c), c.req.valid("json")), 201))
  .openapi(putCategoryRoute, async (c) =>
    c.json(await updateCategory(ctxOf(c), c.req.valid("param").id, c.req.valid("json")), 200),
  )
  .openapi(patchCategoryRoute, async (c) =>
    c.json(await updateCategory(ctxOf(c), c.req.valid("param").id, c.req.valid("json")), 200),
  )
  .openapi(deleteCategoryRoute, async (c) => {
    await deleteCategory(ctxOf(c), c.req.valid("param").id);
    return c.body(null, 204);
  })
  .openapi(listServicesRoute, async (c) => {
    const query = c.req.valid("query");
    return c.json(await listServices(ctxOf(c), ctxOf(c).actor, c.req.url, pageRequest(query), query), 200);
  })
  .openapi(createServiceRoute, async (c) => c.json(await createService(ctxOf(c), currentUser(c), c.req.valid("json")), 201))
  .openapi(getServiceRoute, async (c) => c.json(await getService(ctxOf(c), ctxOf(c).actor, c.req.valid("param").id), 200))
  .openapi(putServiceRoute, async (c) =>
    c.json(await updateService(ctxOf(c), currentUser(c), c.req.valid("param").id, c.req.valid("json")), 200),
  )
  .openapi(patchServiceRoute, async (c) =>
    c.json(await updateService(ctxOf(c), currentUser(c), c.req.valid("param").id, c.req.valid("json")), 200),
  )
  .openapi(deleteServiceRoute, async (c) => {
    await deactivateService(ctxOf(c), currentUser(c), c.req.valid("param").id);
    return c.body(null, 204);
  });
