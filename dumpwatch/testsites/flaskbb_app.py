"""Run the real FlaskBB on 127.0.0.1 with SQLite, filled through FlaskBB's own models.

Executed by the interpreter of FlaskBB's own virtualenv (see flaskbb_real.py), never
imported by dumpwatch: ``python flaskbb_app.py WORKDIR CONTENT.json``. CONTENT lists
forums (``members_only`` hides a forum from guests) and, in order, ``ops``: new topics
(forum, title, author, text) and replies (topic index, author, text), so post ids follow
that order. The app is installed as ``flaskbb install`` does (latest schema, default
groups and settings, an admin), the content is saved with ``Topic.save`` / ``Post.save``,
then Werkzeug serves it; the first line printed is ``READY <port>``. Two test hooks
sit beside the unmodified forum: every request path is appended to WORKDIR/requests.log,
and POST /__dumpwatch__/post saves a reply while it runs.
"""

import json
import os
import sys

WORKDIR, CONTENT = sys.argv[1], sys.argv[2]

CONFIG = """
SQLALCHEMY_DATABASE_URI = "sqlite:///{db}"
SQLALCHEMY_TRACK_MODIFICATIONS = False
SECRET_KEY = "dumpwatch-test-secret"
WTF_CSRF_SECRET_KEY = "dumpwatch-test-csrf"
DEBUG = False
TESTING = False
REDIS_ENABLED = False
CELERY_ALWAYS_EAGER = True
MAIL_DEFAULT_SENDER = ("FlaskBB", "noreply@localhost")
LOG_PATH = "{logs}"
LOG_DEFAULT_CONF = {{"version": 1, "disable_existing_loggers": False, "handlers": {{}},
                     "loggers": {{}}}}
WHOOSHEE_DIR = "{whoosh}"
"""


def main() -> None:
    os.makedirs(os.path.join(WORKDIR, "logs"), exist_ok=True)
    cfg = os.path.join(WORKDIR, "flaskbb.cfg")
    with open(cfg, "w") as fh:
        fh.write(CONFIG.format(db=os.path.join(WORKDIR, "flaskbb.sqlite"),
                               logs=os.path.join(WORKDIR, "logs"),
                               whoosh=os.path.join(WORKDIR, "whoosh")))
    from flask import jsonify, request
    from flaskbb import create_app
    from flaskbb.extensions import csrf, db
    from flaskbb.forum.models import Category, Forum, Post, Topic
    from flaskbb.user.models import Group
    from flaskbb.utils.populate import (
        create_default_groups,
        create_default_settings,
        create_latest_db,
        create_user,
    )
    from werkzeug.serving import make_server

    app = create_app(cfg)
    with open(CONTENT, encoding="utf-8") as fh:
        content = json.load(fh)
    with app.app_context():
        db.drop_all()
        create_latest_db()
        create_default_groups()
        create_default_settings()
        if content.get("settings"):  # e.g. posts_per_page, topics_per_page
            from flaskbb.management.models import Setting

            Setting.update(content["settings"])
        create_user("admin", "admin-pass-123", "admin@localhost", "admin")
        users = {}
        for name in content.get("users", []):
            users[name["username"]] = create_user(name["username"], name["password"],
                                                  name["username"] + "@localhost",
                                                  "member").id
        guest = Group.query.filter_by(guest=True).first()
        category = Category(title="Forums", position=1)
        category.save()
        forums = {}
        for pos, f in enumerate(content["forums"], 1):
            groups = [g for g in Group.query.all()
                      if not (f.get("members_only") and g.id == guest.id)]
            forum = Forum(title=f["title"], description=f.get("description", ""),
                          category_id=category.id, position=pos)
            forum.groups = groups  # Forum.save(groups=...) ignores them on insert
            forum.save(groups=groups)
            forums[f["slug"]] = forum
        topics = []
        for op in content["ops"]:  # in order, so ids follow the order of the content
            if op["op"] == "topic":
                topic = Topic(title=op["title"])
                topic.save(user=_user(users, op["author"]), forum=forums[op["forum"]],
                           post=Post(content=op["text"]))
                topics.append(topic)
            else:
                Post(content=op["text"]).save(user=_user(users, op["author"]),
                                              topic=topics[op["topic"]])
        db.session.commit()

    @csrf.exempt
    def add_post():  # test control: a reply saved the way FlaskBB's reply view saves it
        data = request.get_json()
        post = Post(content=data["text"])
        post.save(user=_user(users, data["author"]), topic=Topic.query.get(data["topic_id"]))
        return jsonify({"id": post.id})

    app.add_url_rule("/__dumpwatch__/post", "dumpwatch_add_post", add_post, methods=["POST"])

    log = open(os.path.join(WORKDIR, "requests.log"), "a", buffering=1)  # noqa: SIM115

    @app.before_request
    def _log() -> None:
        log.write(request.full_path.rstrip("?") + "\n")

    server = make_server("127.0.0.1", 0, app, threaded=True)
    print(f"READY {server.server_port}", flush=True)
    server.serve_forever()


def _user(users, name):
    from flaskbb.user.models import User
    from flaskbb.utils.populate import create_user

    if name not in users:  # ids, not instances: those expire with their session
        users[name] = create_user(name, name + "-pass-123", name + "@localhost", "member").id
    return User.query.get(users[name])


if __name__ == "__main__":
    main()
