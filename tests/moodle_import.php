<?php
// Moodle's question importer run on one GIFT or Moodle XML file as a Moodle 4.4 site runs it, with
// the Ordering question type installed (standard since 4.4), printing as JSON the question objects
// Moodle builds and every import error it reports. tests/moodle_helpers.py runs it:
//
//     MOODLE_DIR=TREE php moodle_import.php SHARED gift|xml FILE
//
// SHARED is the moodle-import folder beside the checkout (Moodle's own files and stubs.php, the
// stand-ins for Moodle core), used as it is; TREE is a copy of SHARED/moodle in which the
// Ordering plugin's question.php is moodle_ordering_question.php (the plugin's importer needs
// only that class's constants).

[, $shared, $fmt, $file] = $argv;
if (!in_array($fmt, ['gift', 'xml'], true)) {
    fwrite(STDERR, "usage: php moodle_import.php SHARED gift|xml FILE\n");
    exit(2);
}

// stubs.php is run unchanged but for the name of its question bank, which knows no plugin
// question types: the question bank below takes its place and knows the Ordering question type,
// so that Moodle's own code hands it <question type="ordering"> (import_from_xml) and, as a
// Moodle 4.4 site does, every GIFT question first (import_from_gift, which must decline ours).
$stubs = preg_replace('/^class question_bank\b/m', 'class histquiz_core_question_bank',
                      file_get_contents("$shared/stubs.php"), -1, $renamed);
if ($renamed !== 1) {
    fwrite(STDERR, "$shared/stubs.php no longer declares one class question_bank to stand in for\n");
    exit(2);
}
eval('?>' . $stubs);

/** The base class of every question type; the Ordering plugin's importer needs nothing of it. */
class question_type {
}

require_once($CFG->dirroot . '/question/type/ordering/questiontype.php');

class question_bank extends histquiz_core_question_bank {
    private static $installed = null;

    static function get_all_qtypes() {
        return self::$installed ??= ['ordering' => new qtype_ordering()];
    }

    static function get_qtype($n, $x = true) {
        return self::get_all_qtypes()[$n] ?? null;
    }
}

require_once($CFG->dirroot . '/question/format.php');
require_once($CFG->dirroot . "/question/format/$fmt/format.php");
$class = "qformat_$fmt";
$format = new $class();

// readdata() and readquestions() are protected: call them as the format object itself. (A
// subclass would change get_class(), from which Moodle names the import_from_<format> method
// it asks each question type for.)
$read = Closure::bind(function ($path) {
    return $this->readquestions($this->readdata($path));
}, $format, $class);
ob_start();
$questions = $read($file);
$echoed = ob_get_clean();

// Moodle prints each import error as <div class="importerror">…</div>.
preg_match_all('~<div class="importerror">(.*?)</div>~s', $echoed, $found);
$errors = $GLOBALS['ERRORS'];
foreach ($found[1] as $error) {
    $errors[] = trim(preg_replace('/\s+/', ' ', html_entity_decode(strip_tags($error))));
}
$echoed = preg_replace('~<div class="importerror">.*?</div>~s', '', $echoed);

/** The name of an Ordering option's value (GRADING_…, LAYOUT_…, SELECT_…), as the plugin has it. */
function ordering_name($prefix, $value) {
    foreach ((new ReflectionClass('qtype_ordering_question'))->getConstants() as $name => $constant) {
        if (str_starts_with($name, $prefix) && $constant === $value) {
            return $name;
        }
    }
    return $value;
}

$out = ['errors' => $errors, 'echoed' => $echoed, 'questions' => []];
foreach (($questions ?: []) as $qo) {
    $o = ['qtype' => $qo->qtype];
    foreach (['category', 'name', 'idnumber', 'questiontext', 'questiontextformat', 'generalfeedback',
              'generalfeedbackformat', 'single', 'shuffleanswers', 'answernumbering', 'usecase', 'answer',
              'fraction', 'tolerance', 'feedback', 'penalty', 'defaultmark', 'tags', 'subquestions',
              'subanswers', 'layouttype', 'selecttype', 'selectcount', 'gradingtype', 'showgrading',
              'numberingstyle', 'shownumcorrect'] as $k) {
        if (isset($qo->$k)) {
            $o[$k] = $qo->$k;
        }
    }
    if ($qo->qtype === 'ordering') {
        foreach (['layouttype' => 'LAYOUT_', 'selecttype' => 'SELECT_', 'gradingtype' => 'GRADING_'] as $k => $prefix) {
            $o[$k] = ordering_name($prefix, $qo->$k);
        }
    }
    $out['questions'][] = $o;
}
echo json_encode($out, JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES | JSON_PRETTY_PRINT);
